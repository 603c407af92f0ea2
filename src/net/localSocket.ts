import { createHash } from 'node:crypto';
import { chmod, unlink } from 'node:fs/promises';
import { Server, Socket, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnavailableError, errorMessage } from '../core/errors';
import { Json, MAX_DOCUMENT_DEPTH, parseJsonText } from '../core/json';

/**
 * A local socket (a Unix domain socket, or a named pipe on Windows) carrying length-prefixed JSON
 * frames between processes of the same user: how a second VS Code window reaches the replica that
 * another window holds (docs/architecture.md, "Windows sharing a replica").
 *
 * Whatever arrives is untrusted: a frame longer than the reader's cap, or one that is not bounded
 * JSON, closes the socket before anything reads it; a peer that stops reading is cut off once the
 * bytes waiting for it pass the writer's cap, so a stuck window cannot make the owner hold memory.
 */

/** Unix socket paths longer than this do not fit in sockaddr_un on every platform. */
const MAX_SOCKET_PATH_BYTES = 100;

/** Where the owner of a data directory listens for other windows. Both sides compute the same path. */
export function localSocketPath(dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 24);
  if (process.platform === 'win32') return `\\\\.\\pipe\\minidote-${digest}`;
  const inside = join(dataDir, 'window.sock');
  return Buffer.byteLength(inside) <= MAX_SOCKET_PATH_BYTES ? inside : join(tmpdir(), `minidote-${digest}.sock`);
}

export interface FrameLimits {
  /** The longest frame this side accepts. */
  readonly maxFrameBytes: number;
  /** Bytes queued for a peer that does not read before it is cut off. */
  readonly maxPendingBytes: number;
}

const HEADER_BYTES = 4;
/** A message wraps a transaction or a state a few levels deeper than any document elsewhere. */
const FRAME_DEPTH = MAX_DOCUMENT_DEPTH + 8;

/** A message as a frame: its length, then its JSON text. */
export function encodeFrame(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/** A socket of length-prefixed JSON frames. */
export class FramedSocket {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private closedReason: string | undefined;
  private handler: ((frame: Json) => void) | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly limits: FrameLimits,
  ) {
    socket.pause();
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('close', () => this.markClosed('the other side closed the connection'));
    socket.on('error', (error) => this.markClosed(error.message));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * Who takes the frames from now on. Without one, reading stops (the socket is paused, frames
   * already received wait): one stage of a protocol can hand over to the next without losing any.
   */
  setHandler(handler: ((frame: Json) => void) | undefined): void {
    this.handler = handler;
    if (!handler) {
      this.socket.pause();
      return;
    }
    this.socket.resume();
    this.drain();
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  send(message: object): void {
    if (!this.closed) this.sendFrame(encodeFrame(message));
  }

  /** A frame from `encodeFrame`: what goes to many sockets is encoded once. */
  sendFrame(frame: Buffer): void {
    if (this.closed) return;
    if (this.socket.writableLength + frame.length > this.limits.maxPendingBytes) {
      this.close(`the other side is not reading (over ${this.limits.maxPendingBytes} bytes queued)`);
      return;
    }
    this.socket.write(frame);
  }

  close(reason: string): void {
    this.markClosed(reason);
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    if (this.closed) return;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    this.drain();
  }

  private drain(): void {
    while (!this.closed && this.handler && this.bufferedBytes >= HEADER_BYTES) {
      if (this.buffered[0].length < HEADER_BYTES) this.buffered = [Buffer.concat(this.buffered)];
      const length = this.buffered[0].readUInt32BE(0);
      if (length > this.limits.maxFrameBytes) {
        this.close(`a frame of ${length} bytes is over the limit of ${this.limits.maxFrameBytes}`);
        return;
      }
      // Chunks are joined only once the whole frame is here: joining on every chunk of a large frame is quadratic.
      if (this.bufferedBytes < HEADER_BYTES + length) return;
      const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
      const body = all.subarray(HEADER_BYTES, HEADER_BYTES + length).toString('utf8');
      const rest = all.subarray(HEADER_BYTES + length);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      let frame: Json;
      try {
        frame = parseJsonText(body, 'a frame', FRAME_DEPTH);
      } catch (error) {
        this.close(errorMessage(error));
        return;
      }
      this.handler(frame);
    }
  }

  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.buffered = [];
    this.bufferedBytes = 0;
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}

/**
 * Listens on `path`, replacing a socket file left by an owner that is gone (the caller holds the
 * data directory's lock, so no live owner can be using it); only the user may connect.
 */
export async function listenLocal(path: string, onSocket: (socket: Socket) => void): Promise<Server> {
  if (process.platform !== 'win32') await unlink(path).catch(() => undefined);
  const server = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') await chmod(path, 0o600);
  return server;
}

/** Connects to a local socket; UnavailableError when nothing listens there. */
export function connectLocal(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UnavailableError(`no answer on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new UnavailableError(`nothing listens on ${path}: ${error.message}`));
    });
  });
}
