import { crdtType } from '../core/crdt/registry';
import { Effect, ObjectKey, objectId } from '../core/transaction';
import { formatKeyRef } from './keyRef';

/** Pinned objects, as stored in the workspace state: their object ids. */
export function toggledWatchList(watched: readonly string[], key: ObjectKey): string[] {
  const id = objectId(key);
  return watched.includes(id) ? watched.filter((w) => w !== id) : [...watched, id];
}

/**
 * One line per pinned object a remote transaction touched, naming the person and what they did,
 * e.g. `Bob added "carol" to team/on-call`. Local changes are the user's own: nothing to say.
 */
export function watchedChangeMessages(
  watched: ReadonlySet<string>,
  effects: readonly Effect[],
  who: string,
): { key: ObjectKey; message: string }[] {
  const out: { key: ObjectKey; message: string }[] = [];
  for (const effect of effects) {
    if (!watched.has(objectId(effect))) continue;
    const key: ObjectKey = { bucket: effect.bucket, key: effect.key, type: effect.type };
    const what = crdtType(effect.type).descriptor.describeEffect(effect.effect);
    out.push({ key, message: `${who} ${what} (${formatKeyRef(key)})` });
  }
  return out;
}
