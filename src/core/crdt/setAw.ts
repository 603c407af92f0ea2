import { Json, canonicalJson, compareCanonical } from '../json';
import { CrdtType } from './crdtType';
import { expectArray, expectJson, expectRecord, expectString, expectStrings } from './shapes';

/** Element (by canonical JSON text) → its value and the unique tags of the adds still alive. */
export type SetAwState = Map<string, { value: Json; tags: Set<string> }>;

interface SetAwEffect {
  /** The tag given to every element added by this operation. */
  tag: string;
  add: Json[];
  /** Per element, exactly the tags the origin had observed: a concurrent add keeps its own tag. */
  rm: [Json, string[]][];
}

function observed(state: SetAwState, elements: readonly Json[]): [Json, string[]][] {
  const out: [Json, string[]][] = [];
  for (const e of elements) {
    const entry = state.get(canonicalJson(e));
    if (entry) out.push([entry.value, [...entry.tags]]);
  }
  return out;
}

/** Add-wins observed-remove set. An add also retires the tags it observed, which keeps states small. */
export const setAw: CrdtType<SetAwState> = {
  name: 'set_aw',
  summary: 'add-wins set',
  operations: [
    { name: 'add', args: { kind: 'oneValue' }, summary: 'add an element' },
    { name: 'add_all', args: { kind: 'values' }, summary: 'add elements' },
    { name: 'remove', args: { kind: 'oneValue' }, summary: 'remove an element (absent: no-op)' },
    { name: 'remove_all', args: { kind: 'values' }, summary: 'remove elements' },
    { name: 'reset', args: { kind: 'none' }, summary: 'remove every element observed' },
  ],
  initial: () => new Map(),
  value: (state) =>
    [...state.keys()].sort(compareCanonical).map((k) => (state.get(k) as { value: Json }).value),
  prepare(state, op, args, { tag }) {
    const adding = op === 'add' || op === 'add_all';
    const targets = op === 'reset' ? [...state.values()].map((e) => e.value) : args;
    const effect: SetAwEffect = { tag, add: adding ? [...args] : [], rm: observed(state, targets) };
    return effect as unknown as Json;
  },
  validateEffect(effect) {
    const rec = expectRecord(effect, 'set_aw effect');
    expectString(rec.tag, 'set_aw effect.tag');
    expectArray(rec.add, 'set_aw effect.add');
    for (const pair of expectArray(rec.rm, 'set_aw effect.rm')) {
      const [e, tags] = expectArray(pair, 'set_aw effect.rm entry');
      expectJson(e, 'set_aw effect.rm element');
      expectStrings(tags, 'set_aw effect.rm tags');
    }
  },
  apply(state, raw) {
    const effect = raw as unknown as SetAwEffect;
    for (const [e, tags] of effect.rm) {
      const key = canonicalJson(e);
      const entry = state.get(key);
      if (!entry) continue;
      for (const t of tags) entry.tags.delete(t);
      if (entry.tags.size === 0) state.delete(key);
    }
    for (const e of effect.add) {
      const key = canonicalJson(e);
      const entry = state.get(key);
      if (entry) entry.tags.add(effect.tag);
      else state.set(key, { value: e, tags: new Set([effect.tag]) });
    }
    return state;
  },
  encode: (state) =>
    [...state.keys()].sort(compareCanonical).map((k) => {
      const { value, tags } = state.get(k) as { value: Json; tags: Set<string> };
      return [value, [...tags].sort()];
    }),
  decode(encoded) {
    const state: SetAwState = new Map();
    for (const pair of expectArray(encoded, 'set_aw state')) {
      const [value, tags] = expectArray(pair, 'set_aw state entry');
      state.set(canonicalJson(expectJson(value, 'set_aw element')), {
        value,
        tags: new Set(expectStrings(tags, 'set_aw tags')),
      });
    }
    return state;
  },
  clone: (state) => new Map([...state].map(([k, { value, tags }]) => [k, { value, tags: new Set(tags) }])),
};
