import type { VectorClock } from './vectorClock';

/**
 * Where a link to a peer stands. An outbound link is connecting, then connected, and reconnecting
 * after a failure until it is closed; an inbound link is connected until it closes.
 */
export type PeerState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * One link to a peer as the node reports it, to the editor's views and to the replica panel alike.
 * Here in core, not in src/node, because the panel's webview may only see core types.
 */
export interface PeerStatus {
  /** The peer's replica id; null until a handshake told it. */
  readonly id: string | null;
  /** The configured address of an outbound link; null for an inbound one. */
  readonly url: string | null;
  readonly direction: 'outbound' | 'inbound';
  readonly connected: boolean;
  readonly state: PeerState;
  readonly displayName: string | null;
  /** When a message last came from the peer (ms since the epoch). */
  readonly lastSeen: number | null;
  /** The peer's clock as it last told us. */
  readonly clock: VectorClock | null;
  readonly lastError: string | null;
}
