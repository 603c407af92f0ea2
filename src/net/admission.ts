import { Socket } from 'node:net';

/** What a listener spends on sockets that have not (yet) proved they belong to the team. */
export interface ListenerLimits {
  /** Open sockets in all (authenticated or not); the next one is dropped at once. */
  readonly maxConnections: number;
  /** Sockets still in the HTTP upgrade or the handshake; the next one is dropped at once. */
  readonly maxPendingHandshakes: number;
  /**
   * Raw bytes a socket may send before its handshake completes (HTTP upgrade included). The
   * message limit applies only after authentication: without this, a stranger could make the
   * node buffer a whole unfinished 4 MiB frame per socket. A peer's hello carries its clock,
   * so this leaves room for a clock of a few thousand replicas.
   */
  readonly preAuthBytes: number;
  /** From TCP connect to a completed handshake; a socket that takes longer is dropped. */
  readonly handshakeTimeoutMs: number;
}

export const MAX_CONNECTIONS = 256;
export const MAX_PENDING_HANDSHAKES = 32;
export const PRE_AUTH_BYTES = 256 * 1024;
export const LISTENER_HANDSHAKE_TIMEOUT_MS = 5_000;

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  maxConnections: MAX_CONNECTIONS,
  maxPendingHandshakes: MAX_PENDING_HANDSHAKES,
  preAuthBytes: PRE_AUTH_BYTES,
  handshakeTimeoutMs: LISTENER_HANDSHAKE_TIMEOUT_MS,
};

/**
 * Watches raw sockets from TCP connect until their handshake completes: counts them, counts
 * their bytes, and destroys those that exceed a limit. Destroying the TCP socket frees whatever
 * the HTTP parser or the WebSocket receiver had buffered for it.
 */
export class Admission {
  private readonly pending = new Map<Socket, () => void>();

  constructor(
    private readonly limits: ListenerLimits,
    private readonly onDrop: (socket: Socket, reason: string) => void,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts watching a new socket, or destroys it at once when too many are pending. */
  admit(socket: Socket): void {
    if (this.pending.size >= this.limits.maxPendingHandshakes) {
      this.drop(socket, `more than ${this.limits.maxPendingHandshakes} handshakes pending`);
      return;
    }
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.limits.preAuthBytes) this.drop(socket, `sent more than ${this.limits.preAuthBytes} bytes before authenticating`);
    };
    const timer = setTimeout(
      () => this.drop(socket, `no completed handshake within ${this.limits.handshakeTimeoutMs} ms`),
      this.limits.handshakeTimeoutMs,
    );
    timer.unref();
    const release = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', release);
      this.pending.delete(socket);
    };
    socket.on('data', onData);
    socket.on('close', release);
    this.pending.set(socket, release);
  }

  /** The socket authenticated: from now on only the message limit applies to it. */
  authenticated(socket: Socket): void {
    this.pending.get(socket)?.();
  }

  private drop(socket: Socket, reason: string): void {
    this.pending.get(socket)?.();
    this.onDrop(socket, reason);
    socket.destroy();
  }
}
