import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { UnavailableError, errorMessage } from '../core/errors';
import { Admission, DEFAULT_LISTENER_LIMITS, ListenerLimits } from './admission';
import { Connection, Log } from './connection';
import { LocalIdentity, acceptHandshake } from './handshake';
import { HelloMessage } from './messages';
import { SEAL_OVERHEAD } from './secureChannel';
import { ServerTls, tlsReason } from './tls';
import { hostRuleFor, upgradeRefusal } from './upgradePolicy';

export interface ListenerHandlers {
  identity(): LocalIdentity;
  onPeer(conn: Connection, hello: HelloMessage): void;
  onClient(conn: Connection): void;
}

export interface Listener {
  readonly url: string;
  close(): Promise<void>;
}

/** Strangers can make a node drop sockets at will: say so now and then, not once per socket. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Accepts peers and clients on one port; each socket is authenticated before it is handed on.
 * Before that, it is held to ListenerLimits (count, bytes, time) and to the upgrade policy
 * (upgradePolicy.ts): a stranger costs the node a bounded amount of memory and time.
 * With `tls`, it serves wss:// (the TLS handshake is bounded by the same handshake time).
 */
export async function listen(
  host: string,
  port: number,
  maxMessageBytes: number,
  handlers: ListenerHandlers,
  log: Log,
  limits: Partial<ListenerLimits> = {},
  tls?: ServerTls,
): Promise<Listener> {
  const effective: ListenerLimits = { ...DEFAULT_LISTENER_LIMITS, ...limits };
  const http = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: effective.handshakeTimeoutMs }, refusePlainHttp)
    : createServer(refusePlainHttp);
  http.maxConnections = effective.maxConnections;
  const sockets = new Set<Socket>();
  const dropLog = throttled(log);
  const admission = new Admission(effective, (socket, reason) => dropLog(`${describe(socket)}: ${reason}`));
  http.on('drop', () => dropLog(`more than ${effective.maxConnections} connections open`));
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (!tls) admission.admit(socket);
  });
  // Under TLS the upgrade arrives on the decrypted socket: that one is admitted and released.
  if (tls) {
    http.on('secureConnection', (socket: Socket) => admission.admit(socket));
    http.on('tlsClientError', (error: Error) => dropLog(`a TLS handshake failed: ${tlsReason(error.message)}`));
  }

  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', (error) => reject(new UnavailableError(`cannot listen on ${host}:${port}: ${errorMessage(error)}`)));
    http.listen(port, host);
  });
  http.on('error', (error) => log('error', `listener: ${errorMessage(error)}`));
  const address = http.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'wss' : 'ws'}://${shownHost}:${address.port}`;
  const hostRule = hostRuleFor(address.address);

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes + SEAL_OVERHEAD });
  http.on('upgrade', (request: IncomingMessage, stream: Duplex, head: Buffer) => {
    const socket = stream as Socket;
    const refusal = upgradeRefusal(request.headers, hostRule);
    if (refusal !== undefined) {
      dropLog(`${describe(socket)}: upgrade refused: ${refusal}`);
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const conn = new Connection(ws, `inbound ${describe(socket)}`, log);
      acceptHandshake(conn, handlers.identity(), effective.handshakeTimeoutMs).then(
        (hello) => {
          if (conn.closed) return;
          admission.authenticated(socket);
          if (hello.role === 'peer') handlers.onPeer(conn, hello);
          else handlers.onClient(conn);
        },
        (error: unknown) => log('warn', errorMessage(error)),
      );
    });
  });

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        for (const socket of sockets) socket.destroy();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

function describe(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/** Only WebSocket upgrades are served. */
function refusePlainHttp(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
  response.end('Minidote speaks WebSocket only\n');
}

function refuseUpgrade(socket: Socket, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // A client that never reads the answer must not keep the socket open.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

function throttled(log: Log): (message: string) => void {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastAt < DROP_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    log('warn', `listener: ${message}${suppressed > 0 ? ` (and ${suppressed} similar since the last report)` : ''}`);
    lastAt = now;
    suppressed = 0;
  };
}
