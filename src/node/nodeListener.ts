import { ClientHandler, serveClient } from '../net/clientSession';
import { Connection, Log } from '../net/connection';
import { LocalIdentity } from '../net/handshake';
import { HelloMessage } from '../net/messages';
import { Listener, listen } from '../net/server';
import { ServerTls } from '../net/tls';
import { checkListenPolicy } from './listenPolicy';

export interface ListenerContext {
  readonly maxMessageBytes: number;
  readonly clients: ClientHandler;
  readonly log: Log;
  /** Serve wss:// with this certificate. */
  readonly tls?: ServerTls;
  identity(): LocalIdentity;
  onPeer(conn: Connection, hello: HelloMessage): void;
  onChanged(): void;
}

/**
 * The node's one listening port, for peers and clients, under its security policy: never beyond
 * loopback without a team secret, neither when it starts nor when the secret is later removed.
 */
export class NodeListener {
  private listener: Listener | undefined;
  private host: string | undefined;

  constructor(private readonly context: ListenerContext) {}

  get url(): string | undefined {
    return this.listener?.url;
  }

  async listen(host: string, port: number, secret: string | undefined): Promise<string> {
    checkListenPolicy(host, secret);
    await this.stop();
    const { maxMessageBytes, clients, log, tls } = this.context;
    this.listener = await listen(
      host,
      port,
      maxMessageBytes,
      {
        identity: () => this.context.identity(),
        onPeer: (conn, hello) => this.context.onPeer(conn, hello),
        onClient: (conn) => serveClient(conn, clients, log),
      },
      log,
      {},
      tls,
    );
    this.host = host;
    this.context.onChanged();
    return this.listener.url;
  }

  /** Throws (changing nothing) when the listener could not stay up under this secret. */
  checkSecret(secret: string | undefined): void {
    if (this.host !== undefined) checkListenPolicy(this.host, secret);
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.host = undefined;
    if (!listener) return;
    await listener.close();
    this.context.onChanged();
  }
}
