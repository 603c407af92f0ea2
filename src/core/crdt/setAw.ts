import { Json, canonicalJson, compareCanonical } from '../json';
import type { CrdtType } from './crdtType';
import { describeTag } from './stateDescription';
import { expectArray, expectJson, expectOwnTag, expectRecord, expectTags, expectValue, unseenBy } from './shapes';
import { valueList } from './effectText';

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
export const setAw: CrdtType<SetAwState, 'set_aw'> = {
  name: 'set_aw',
  summary: 'add-wins set',
  descriptor: {
    family: 'set',
    label: 'add-wins set',
    icon: 'symbol-array',
    explanation: 'add-wins set: an add concurrent with a remove survives',
    describeEffect(effect) {
      const { add, rm } = effect as unknown as SetAwEffect;
      // An add also carries the tags it replaces: it is an add, not a remove.
      if (add.length > 0) return `added ${valueList(add)}`;
      return rm.length > 0 ? `removed ${valueList(rm.map(([e]) => e))}` : 'changed nothing';
    },
    describe: (state) => ({
      kind: 'tags',
      tagsByElement: new Map([...state].map(([key, { tags }]) => [key, [...tags].sort().map(describeTag)])),
    }),
  },
  operations: [
    { name: 'add', args: { kind: 'oneValue' }, summary: 'add an element' },
    { name: 'add_all', args: { kind: 'values' }, summary: 'add elements' },
    { name: 'remove', args: { kind: 'oneValue' }, summary: 'remove an element (absent: no-op)' },
    { name: 'remove_all', args: { kind: 'values' }, summary: 'remove elements' },
    { name: 'reset', args: { kind: 'none' }, summary: 'remove every element observed' },
  ],
  initial: () => new Map(),
  value: (state) => [...state.keys()].sort(compareCanonical).map((k) => (state.get(k) as { value: Json }).value),
  prepare(state, op, args, { tag }) {
    const adding = op === 'add' || op === 'add_all';
    const targets = op === 'reset' ? [...state.values()].map((e) => e.value) : args;
    const effect: SetAwEffect = { tag, add: adding ? [...args] : [], rm: observed(state, targets) };
    return effect as unknown as Json;
  },
  validateEffect(effect, origin, seq) {
    const rec = expectRecord(effect, 'set_aw effect');
    expectOwnTag(rec.tag, 'set_aw effect.tag', origin, seq);
    for (const e of expectArray(rec.add, 'set_aw effect.add')) expectValue(e, 'set_aw effect.add element');
    for (const pair of expectArray(rec.rm, 'set_aw effect.rm')) {
      const [e, tags] = expectArray(pair, 'set_aw effect.rm entry');
      // Names an element already held, maybe one stored before the size limit: depth is checked, not size.
      expectJson(e, 'set_aw effect.rm element');
      expectTags(tags, 'set_aw effect.rm tags');
    }
  },
  codec: {
    encode(raw, out) {
      const effect = raw as unknown as SetAwEffect;
      out.ownTag(effect.tag);
      out.count(effect.add.length);
      for (const e of effect.add) out.json(e);
      out.count(effect.rm.length);
      for (const [e, tags] of effect.rm) {
        out.json(e);
        out.tags(tags);
      }
    },
    decode(input) {
      const tag = input.ownTag();
      const add = new Array<Json>(input.count('set_aw effect.add length'));
      for (let i = 0; i < add.length; i++) add[i] = input.newValue('set_aw effect.add element');
      const rm = new Array<[Json, string[]]>(input.count('set_aw effect.rm length'));
      for (let i = 0; i < rm.length; i++) rm[i] = [input.json(), input.tags()];
      const effect: SetAwEffect = { tag, add, rm };
      return effect as unknown as Json;
    },
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
  join(local, localClock, remote, remoteClock) {
    const out: SetAwState = new Map();
    for (const [key, { value, tags }] of local) {
      const theirs = remote.get(key)?.tags;
      const kept = [...tags].filter((t) => theirs?.has(t) || unseenBy(t, remoteClock));
      if (kept.length > 0) out.set(key, { value, tags: new Set(kept) });
    }
    for (const [key, { value, tags }] of remote) {
      const ours = local.get(key)?.tags;
      // Tags on both sides were kept above.
      const added = [...tags].filter((t) => !ours?.has(t) && unseenBy(t, localClock));
      if (added.length === 0) continue;
      const entry = out.get(key);
      if (entry) for (const t of added) entry.tags.add(t);
      else out.set(key, { value, tags: new Set(added) });
    }
    return out;
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
      const kept = expectTags(tags, 'set_aw tags');
      if (kept.length === 0) continue;
      state.set(canonicalJson(expectJson(value, 'set_aw element')), { value, tags: new Set(kept) });
    }
    return state;
  },
  clone: (state) => new Map([...state].map(([k, { value, tags }]) => [k, { value, tags: new Set(tags) }])),
};
