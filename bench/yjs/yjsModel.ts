import * as Y from 'yjs';
import { Json } from '../../src/core/json';
import { BenchOp } from '../ops';

/**
 * How the baseline stores the workloads' objects, the way a Yjs application would: a set is a
 * Y.Map of element → true, registers and flags are entries of one Y.Map each, and a counter is a
 * Y.Map of client id → that client's count (Yjs has no counter type; per-client entries are the
 * usual way to make concurrent increments add up).
 */
export function applyYjsOp(doc: Y.Doc, op: BenchOp): void {
  doc.transact(() => {
    switch (op.kind) {
      case 'counter': {
        const counts = doc.getMap<number>(`counter:${op.key}`);
        const mine = String(doc.clientID);
        counts.set(mine, (counts.get(mine) ?? 0) + 1);
        return;
      }
      case 'set': {
        const set = doc.getMap<boolean>(`set:${op.key}`);
        if (op.remove) set.delete(op.element);
        else set.set(op.element, true);
        return;
      }
      case 'register':
        doc.getMap<string>('registers').set(op.key, op.value);
        return;
      case 'flag':
        doc.getMap<boolean>('flags').set(op.key, op.on);
        return;
    }
  });
}

/** The values a user sees, keyed like Minidote's objects. */
export function yjsValues(doc: Y.Doc): Json {
  const out: { [name: string]: Json } = {};
  for (const name of [...doc.share.keys()].sort()) {
    const map = doc.getMap<Json>(name);
    if (name.startsWith('counter:')) {
      let total = 0;
      for (const n of map.values()) total += n as number;
      out[name] = total;
    } else if (name.startsWith('set:')) {
      out[name] = [...map.keys()].sort();
    } else {
      out[name] = map.toJSON() as Json;
    }
  }
  return out;
}
