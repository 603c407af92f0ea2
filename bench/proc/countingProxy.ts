import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';

const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * A TCP relay on 127.0.0.1 that counts the bytes crossing it both ways: the bytes a catch-up costs,
 * measured the same way (framing, TLS-less WebSocket headers and all) for every system. It is a
 * port forward, so it presents the target's address in the upgrade request's Host header, as
 * `ssh -L` users do by hand: a Minidote node refuses a Host other than its own loopback address.
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
    const ownPort = (server.address() as AddressInfo).port;
    const proxy = new CountingProxy(server, `ws://127.0.0.1:${ownPort}`);
    server.on('connection', (client) => proxy.relay(client, targetPort, ownPort));
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number, ownPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
      });
      socket.on('close', () => this.sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    // Client to upstream: the request head with the Host rewritten, then everything as it comes.
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEADERS_END);
      if (end < 0) return;
      client.off('data', onHead);
      const text = head.subarray(0, end).toString('latin1').replace(`Host: 127.0.0.1:${ownPort}`, `Host: 127.0.0.1:${targetPort}`);
      upstream.write(Buffer.concat([Buffer.from(text, 'latin1'), head.subarray(end)]));
      client.pipe(upstream);
    };
    client.on('data', onHead);
  }
}
