import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { UnavailableError, errorMessage } from '../core/errors';
import { Connection, Log } from './connection';
import { LocalIdentity, acceptHandshake } from './handshake';
import { HelloMessage } from './messages';

export interface ListenerHandlers {
  identity(): LocalIdentity;
  onPeer(conn: Connection, hello: HelloMessage): void;
  onClient(conn: Connection): void;
}

export interface Listener {
  readonly url: string;
  close(): Promise<void>;
}

/** Accepts peers and clients on one port; each socket is authenticated before it is handed on. */
export async function listen(host: string, port: number, maxMessageBytes: number, handlers: ListenerHandlers, log: Log): Promise<Listener> {
  const server = new WebSocketServer({ host, port, maxPayload: maxMessageBytes });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error) => reject(new UnavailableError(`cannot listen on ${host}:${port}: ${errorMessage(error)}`)));
  });
  server.on('error', (error) => log('error', `listener: ${errorMessage(error)}`));
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `ws://${shownHost}:${address.port}`;

  server.on('connection', (socket, request) => {
    const label = `inbound ${request.socket.remoteAddress}:${request.socket.remotePort}`;
    const conn = new Connection(socket, label, log);
    acceptHandshake(conn, handlers.identity()).then(
      (hello) => (hello.role === 'peer' ? handlers.onPeer(conn, hello) : handlers.onClient(conn)),
      (error: unknown) => log('warn', errorMessage(error)),
    );
  });

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
