import * as Y from 'yjs';
import { BenchOp } from '../ops';
import { BenchValues, emptyValues } from '../values';

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

/** The values a user sees, in the shape shared by every system (bench/values.ts). */
export function yjsValues(doc: Y.Doc): BenchValues {
  const values = emptyValues();
  for (const name of doc.share.keys()) {
    const map = doc.getMap<unknown>(name);
    if (name.startsWith('counter:')) {
      let total = 0;
      for (const n of map.values()) total += n as number;
      values.counters[name.slice('counter:'.length)] = total;
    } else if (name.startsWith('set:')) {
      values.sets[name.slice('set:'.length)] = [...map.keys()];
    } else if (name === 'registers') {
      for (const [key, value] of map) values.registers[key] = [value as string];
    } else if (name === 'flags') {
      for (const [key, value] of map) values.flags[key] = value as boolean;
    } else {
      throw new Error(`yjs: the bench writes no shared type named ${name}`);
    }
  }
  return values;
}
