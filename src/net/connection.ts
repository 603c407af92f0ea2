import WebSocket from 'ws';
import { UnavailableError } from '../core/errors';
import { Schema, decode } from './messages';

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Close codes we send: 1008 policy violation (bad message, auth), 1000 normal. */
export const CLOSE_POLICY = 1008;
export const CLOSE_NORMAL = 1000;

/**
 * A WebSocket carrying JSON messages that are validated on arrival. A message that fails its schema
 * closes the connection with the reason logged, and is never handed to the caller: one bad peer
 * cannot put anything into state or stall others.
 */
export class Connection {
  private readonly queue: string[] = [];
  private waiter: ((text: string) => void) | undefined;
  private handler: ((text: string) => void) | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly label: string,
    private readonly log: Log,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.fail('binary frames are not part of the protocol');
        return;
      }
      const text = data.toString();
      if (this.waiter) this.waiter(text);
      else if (this.handler) this.handler(text);
      else this.queue.push(text);
    });
    socket.on('close', (code, reason) => this.markClosed(reason.toString() || `socket closed (${code})`));
    socket.on('error', (error) => this.markClosed(error.message));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  send(message: object): void {
    this.sendText(JSON.stringify(message));
  }

  /** For callers that assemble large messages from pre-serialized parts. */
  sendText(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /** Bytes handed to the socket but not yet written: lets senders pace large catch-ups. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Waits for the next message (handshake phase); rejects on timeout, close or a bad message. */
  next<T>(schema: Schema<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(new UnavailableError(`${this.label}: connection closed before ${what}: ${this.closedReason}`));
        return;
      }
      const timer = setTimeout(() => {
        finish();
        this.close(CLOSE_POLICY, `no ${what} within ${timeoutMs} ms`);
        reject(new UnavailableError(`${this.label}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = (reason: string) => {
        finish();
        reject(new UnavailableError(`${this.label}: connection closed before ${what}: ${reason}`));
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        const i = this.closeListeners.indexOf(onClose);
        if (i >= 0) this.closeListeners.splice(i, 1);
      };
      this.closeListeners.push(onClose);
      const take = (text: string) => {
        finish();
        const result = decode(schema, text);
        if (result.ok) resolve(result.value);
        else {
          this.fail(`${what}: ${result.reason}`);
          reject(new UnavailableError(`${this.label}: bad ${what}: ${result.reason}`));
        }
      };
      const queued = this.queue.shift();
      if (queued !== undefined) take(queued);
      else this.waiter = take;
    });
  }

  /** Hands every following message, validated, to `onMessage` (steady state after the handshake). */
  listen<T>(schema: Schema<T>, onMessage: (message: T) => void): void {
    this.handler = (text) => {
      if (this.closed) return;
      const result = decode(schema, text);
      if (!result.ok) {
        this.fail(result.reason);
        return;
      }
      try {
        onMessage(result.value);
      } catch (error) {
        this.fail(error instanceof Error ? error.message : String(error));
      }
    };
    for (const text of this.queue.splice(0)) this.handler(text);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Closes because the other side broke the protocol; the reason is logged and sent. */
  fail(reason: string): void {
    if (this.closed) return;
    this.log('warn', `${this.label}: closing connection: ${reason}`);
    this.close(CLOSE_POLICY, reason);
  }

  close(code = CLOSE_NORMAL, reason = ''): void {
    // Close frames carry at most 123 bytes of reason.
    const short = Buffer.from(reason).subarray(0, 120).toString();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, short);
      // A peer that never answers the close frame must not keep the socket alive.
      setTimeout(() => this.socket.terminate(), 2000).unref();
    }
    this.markClosed(reason || 'closed');
  }

  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.queue.length = 0;
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}
