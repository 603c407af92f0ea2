import WebSocket from 'ws';
import { errorMessage } from '../core/errors';
import type { PeerState } from '../core/peerStatus';
import { BackoffOptions, STABLE_LINK_MS, backoffDelay } from './backoff';
import { Connection, Log } from './connection';
import { ConnectorIdentity, offerHandshake } from './handshake';
import { DEFAULT_MAX_MESSAGE_BYTES, WelcomeMessage } from './messages';
import { SEAL_OVERHEAD } from './secureChannel';
import { ClientTls, describeConnectError, tlsConnectOptions } from './tls';

export interface OutboundPeerEvents {
  /** Called with each authenticated connection; the link notices its close by itself. */
  onConnected(conn: Connection, welcome: WelcomeMessage): void;
  onStateChange(): void;
}

/**
 * A configured peer: connects, and after any failure or disconnect tries again with capped
 * exponential backoff and jitter, until stopped. A completed handshake alone does not reset the
 * backoff: only a connection that stayed up for `stableAfterMs` does.
 */
export class OutboundPeer {
  private stateValue: PeerState = 'connecting';
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private conn: Connection | undefined;
  private lastErrorValue: string | null = null;

  constructor(
    readonly url: string,
    private readonly identity: () => ConnectorIdentity,
    private readonly backoff: BackoffOptions,
    private readonly events: OutboundPeerEvents,
    private readonly log: Log,
    /** Trust for wss:// peers. */
    private readonly tls?: ClientTls,
  ) {
    this.connect();
  }

  get state(): PeerState {
    return this.stateValue;
  }

  get lastError(): string | null {
    return this.lastErrorValue;
  }

  /** Drops the current connection (if any) and reconnects at once, e.g. after the secret changed. */
  restart(): void {
    if (this.stateValue === 'closed') return;
    clearTimeout(this.timer);
    this.attempt = 0;
    if (this.conn && !this.conn.closed) this.conn.close();
    else this.connect();
  }

  stop(): void {
    this.setState('closed');
    clearTimeout(this.timer);
    this.conn?.close();
  }

  private connect(): void {
    if (this.stateValue === 'closed') return;
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url, {
      handshakeTimeout: 10_000,
      maxPayload: DEFAULT_MAX_MESSAGE_BYTES + SEAL_OVERHEAD,
      ...tlsConnectOptions(this.tls),
    });
    // Said in words that name the fix (e.g. an untrusted certificate), for the peer's status; this
    // listener goes first so that the reason is known when the connection reports its close.
    let connectError: string | undefined;
    socket.once('error', (error) => (connectError = describeConnectError(this.url, error)));
    const conn = new Connection(socket, `peer ${this.url}`, this.log);
    this.conn = conn;
    let connectedAt: number | undefined;
    conn.onClose((reason) => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      this.lastErrorValue = connectError ?? reason;
      if (connectedAt !== undefined && Date.now() - connectedAt >= (this.backoff.stableAfterMs ?? STABLE_LINK_MS)) this.attempt = 0;
      this.scheduleReconnect();
    });
    socket.once('open', () => {
      offerHandshake(conn, this.identity()).then(
        (welcome) => {
          if (conn.closed || this.stateValue === 'closed') return;
          connectedAt = Date.now();
          this.lastErrorValue = null;
          this.setState('connected');
          this.events.onConnected(conn, welcome);
        },
        (error: unknown) => {
          this.lastErrorValue = errorMessage(error);
          this.log('warn', errorMessage(error));
          conn.close();
        },
      );
    });
  }

  private scheduleReconnect(): void {
    if (this.stateValue === 'closed') return;
    const delay = backoffDelay(this.attempt++, this.backoff);
    this.setState('reconnecting');
    this.timer = setTimeout(() => this.connect(), delay);
    this.timer.unref();
  }

  private setState(state: PeerState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.events.onStateChange();
  }
}
