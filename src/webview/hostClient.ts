import {
  MessageDispatcher,
  NotificationType,
  ProtocolMessage,
  RequestFailedError,
  RequestType,
  ResponseMessage,
  isResponseMessage,
  requestMessage,
} from './rpc';

/**
 * The webview's end of the protocol: sends typed requests and matches their responses, and routes
 * the host's notifications through the shared dispatcher.
 */
export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (e: Error) => void }>();
  private readonly dispatcher: MessageDispatcher;

  constructor(
    private readonly post: (message: ProtocolMessage) => void,
    onInvalid: (reason: string) => void,
  ) {
    this.dispatcher = new MessageDispatcher(onInvalid);
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.post(requestMessage(type, id, params));
    });
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.dispatcher.onNotification(type, handler);
  }

  /** Feeds one message from the host. */
  receive(message: unknown): void {
    if (isResponseMessage(message)) this.settle(message);
    else void this.dispatcher.dispatch(message);
  }

  private settle(message: ResponseMessage): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new RequestFailedError(message.error.kind, message.error.message));
  }
}
