import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 that counts the bytes crossing it both ways: the bytes a catch-up costs,
 * measured the same way (framing, TLS-less WebSocket headers and all) for both systems.
 */
export class CountingProxy {
  bytes = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(targetPort: number): Promise<CountingProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const proxy = new CountingProxy(server, `ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (client) => proxy.relay(client, targetPort));
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      this.sockets.add(from);
      from.setNoDelay(true);
      from.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
      });
      from.pipe(to);
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
  }
}
