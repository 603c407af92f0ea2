import { VectorClock } from '../../core/vectorClock';
import type { ReplicaPresence } from '../../node/replicaDirectory';
import { MAX_REPLICAS_SHOWN, ReplicaView } from '../../webview/protocol';

/**
 * The replicas the page is told about, at most `max`: those it shows (in this replica's clock) or
 * that are online first, then the most recently seen. An online replica's last-seen time is left
 * out: it is renewed while the link is open, which would re-send the list for nothing.
 */
export function replicaViews(known: readonly ReplicaPresence[], clock: VectorClock, max = MAX_REPLICAS_SHOWN): ReplicaView[] {
  const shown = (r: ReplicaPresence) => r.online !== 'offline' || Object.hasOwn(clock, r.id);
  const ordered =
    known.length <= max ? known : [...known].sort((a, b) => Number(shown(b)) - Number(shown(a)) || (b.lastSeen ?? 0) - (a.lastSeen ?? 0));
  return ordered.slice(0, max).map(({ id, displayName, online, lastSeen }) => ({
    id,
    displayName,
    online,
    lastSeen: online === 'offline' ? lastSeen : null,
  }));
}
