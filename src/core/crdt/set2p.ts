import { RejectedOperationError } from '../errors';
import { Json, canonicalJson, compareCanonical } from '../json';
import type { CrdtType } from './crdtType';
import { expectArray, expectJson, expectRecord, expectValue } from './shapes';
import { valueList } from './effectText';

/** Present elements and the tombstones of removed ones, each by canonical JSON text. */
export interface Set2pState {
  added: Map<string, Json>;
  removed: Map<string, Json>;
}

interface Set2pEffect {
  add: Json[];
  remove: Json[];
}

function describe(e: Json): string {
  return canonicalJson(e);
}

/** The elements in canonical order, so that equal states give equal values and encodings. */
function sortedValues(elements: Map<string, Json>): Json[] {
  return [...elements.keys()].sort(compareCanonical).map((k) => elements.get(k) as Json);
}

/**
 * Two-phase set: once removed, an element never comes back. Single-element operations are strict
 * (re-add or removing an absent element is refused); the `_all` forms skip such elements.
 */
export const set2p: CrdtType<Set2pState, 'set_2p'> = {
  name: 'set_2p',
  summary: 'two-phase set (a removed element can never return)',
  descriptor: {
    family: 'set',
    label: 'two-phase set',
    icon: 'symbol-array',
    explanation: 'two-phase set: a removed element can never come back',
    describeEffect(effect) {
      const { add, remove } = effect as unknown as Set2pEffect;
      const parts = [add.length > 0 && `added ${valueList(add)}`, remove.length > 0 && `removed ${valueList(remove)}`];
      return parts.filter(Boolean).join(', ') || 'changed nothing';
    },
    describe: (state) => ({ kind: 'tombstones', removed: sortedValues(state.removed) }),
  },
  operations: [
    { name: 'add', args: { kind: 'oneValue' }, summary: 'add an element (refused if it was removed)' },
    { name: 'add_all', args: { kind: 'values' }, summary: 'add elements, skipping removed ones' },
    { name: 'remove', args: { kind: 'oneValue' }, summary: 'remove an element (refused if absent)' },
    { name: 'remove_all', args: { kind: 'values' }, summary: 'remove elements, skipping absent ones' },
  ],
  initial: () => ({ added: new Map(), removed: new Map() }),
  value: (state) => sortedValues(state.added),
  prepare(state, op, args) {
    const effect: Set2pEffect = { add: [], remove: [] };
    const strict = op === 'add' || op === 'remove';
    for (const e of args) {
      const key = canonicalJson(e);
      if (op === 'add' || op === 'add_all') {
        if (!state.removed.has(key)) effect.add.push(e);
        else if (strict) {
          throw new RejectedOperationError(`set_2p: ${describe(e)} was removed and can never be added again`);
        }
      } else if (state.added.has(key)) effect.remove.push(e);
      else if (strict) {
        throw new RejectedOperationError(`set_2p: cannot remove ${describe(e)}: it is not in the set`);
      }
    }
    return effect as unknown as Json;
  },
  validateEffect(effect) {
    const rec = expectRecord(effect, 'set_2p effect');
    for (const e of expectArray(rec.add, 'set_2p effect.add')) expectValue(e, 'set_2p effect.add element');
    // A removed element is one already held, maybe stored before the size limit: depth is checked, not size.
    for (const e of expectArray(rec.remove, 'set_2p effect.remove')) expectJson(e, 'set_2p effect.remove element');
  },
  codec: {
    encode(raw, out) {
      const effect = raw as unknown as Set2pEffect;
      out.count(effect.add.length);
      for (const e of effect.add) out.json(e);
      out.count(effect.remove.length);
      for (const e of effect.remove) out.json(e);
    },
    decode(input) {
      const add = new Array<Json>(input.count('set_2p effect.add length'));
      for (let i = 0; i < add.length; i++) add[i] = input.newValue('set_2p effect.add element');
      const remove = new Array<Json>(input.count('set_2p effect.remove length'));
      for (let i = 0; i < remove.length; i++) remove[i] = input.json();
      const effect: Set2pEffect = { add, remove };
      return effect as unknown as Json;
    },
  },
  apply(state, raw) {
    const effect = raw as unknown as Set2pEffect;
    for (const e of effect.add) {
      const key = canonicalJson(e);
      if (!state.removed.has(key)) state.added.set(key, e);
    }
    for (const e of effect.remove) {
      const key = canonicalJson(e);
      state.removed.set(key, e);
      state.added.delete(key);
    }
    return state;
  },
  // Both phases only grow: union of adds and of removes, then the removed ones leave the adds.
  join(local, _localClock, remote) {
    const removed = new Map([...local.removed, ...remote.removed]);
    const added = new Map<string, Json>();
    for (const [key, e] of [...local.added, ...remote.added]) if (!removed.has(key)) added.set(key, e);
    return { added, removed };
  },
  encode: (state) => ({
    added: set2p.value(state),
    removed: sortedValues(state.removed),
  }),
  decode(encoded) {
    const rec = expectRecord(encoded, 'set_2p state');
    const toMap = (list: Json | undefined, what: string) =>
      new Map(expectArray(list, what).map((e) => [canonicalJson(expectJson(e, what)), e] as [string, Json]));
    const removed = toMap(rec.removed, 'set_2p state.removed');
    const added = toMap(rec.added, 'set_2p state.added');
    for (const key of removed.keys()) added.delete(key);
    return { added, removed };
  },
  clone: (state) => ({ added: new Map(state.added), removed: new Map(state.removed) }),
};
