import { crdtType } from './crdt/registry';
import { InvalidInputError } from './errors';
import type { ReplicaSnapshot, StoredObject } from './replica';
import { objectId } from './transaction';
import { VectorClock, entry, merge } from './vectorClock';

/**
 * The state of a replica that delivered both histories: each object is the join of the two sides
 * (docs/architecture.md, "Snapshots only add knowledge"). Nothing `local` holds that the remote
 * clock does not cover can be lost this way, whatever the remote side claims. Pure: decodes,
 * joins and re-encodes; throws InvalidInputError on a state that does not decode.
 */
export function joinSnapshots(local: ReplicaSnapshot, remote: ReplicaSnapshot): ReplicaSnapshot {
  const byId = new Map<string, StoredObject>();
  for (const o of local.objects) byId.set(objectId(o), o);
  const objects: StoredObject[] = [];
  const seen = new Set<string>();
  for (const theirs of remote.objects) {
    const id = objectId(theirs);
    if (seen.has(id)) throw new InvalidInputError(`snapshot lists ${theirs.type} ${theirs.bucket}/${theirs.key} twice`);
    seen.add(id);
    const type = crdtType(theirs.type);
    const ours = byId.get(id);
    const mine = ours ? type.decode(ours.state) : type.initial();
    const joined = type.join(mine, local.clock, type.decode(theirs.state), remote.clock);
    objects.push({ bucket: theirs.bucket, key: theirs.key, type: type.name, state: type.encode(joined) });
  }
  for (const [id, ours] of byId) {
    if (seen.has(id)) continue;
    const type = crdtType(ours.type);
    const joined = type.join(type.decode(ours.state), local.clock, type.initial(), remote.clock);
    objects.push({ ...ours, state: type.encode(joined) });
  }
  return { clock: merge(local.clock, remote.clock), objects };
}

/**
 * What a snapshot from a peer may not claim: more of this replica's own history than it has
 * itself. Such a claim would make other replicas wait forever for sequence numbers it never
 * issued (or make it reuse them). Returns the reason to refuse, or undefined.
 */
export function snapshotOverclaim(self: string, ours: VectorClock, theirs: VectorClock): string | undefined {
  const claimed = entry(theirs, self);
  const have = entry(ours, self);
  if (claimed <= have) return undefined;
  return `the snapshot claims transactions of this replica (${self}) up to ${claimed}, but it has only issued ${have}`;
}
