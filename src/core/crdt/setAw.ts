import { Json, canonicalJson } from '../json';
import type { CrdtType } from './crdtType';
import { describeTag } from './stateDescription';
import { expectArray, expectJson, expectOwnTag, expectRecord, expectTags, expectValue, unseenBy } from './shapes';
import { valueList } from './effectText';
import { SetAwState, hasTag, tagList, tagsFrom } from './setAwState';

export { SetAwState };

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
    const tags = state.tagsOf(e);
    if (tags !== undefined) out.push([state.heldValue(e), tagList(tags)]);
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
      tagsByElement: new Map(state.entries().map(({ key, tags }) => [key, tagList(tags).sort().map(describeTag)])),
    }),
  },
  operations: [
    { name: 'add', args: { kind: 'oneValue' }, summary: 'add an element' },
    { name: 'add_all', args: { kind: 'values' }, summary: 'add elements' },
    { name: 'remove', args: { kind: 'oneValue' }, summary: 'remove an element (absent: no-op)' },
    { name: 'remove_all', args: { kind: 'values' }, summary: 'remove elements' },
    { name: 'reset', args: { kind: 'none' }, summary: 'remove every element observed' },
  ],
  initial: () => new SetAwState(),
  value: (state) => state.sortedEntries().map((e) => e.value),
  prepare(state, op, args, { tag }) {
    const adding = op === 'add' || op === 'add_all';
    const targets = op === 'reset' ? state.values() : args;
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
    for (const [e, tags] of effect.rm) state.retire(e, tags);
    for (const e of effect.add) state.add(e, effect.tag);
    return state;
  },
  join(local, localClock, remote, remoteClock) {
    const out = new SetAwState();
    const remoteTags = new Map(remote.entries().map((e) => [e.key, e.tags]));
    const kept = new Map<string, string[]>();
    for (const { key, value, tags } of local.entries()) {
      const theirs = remoteTags.get(key);
      const list = tagList(tags).filter((t) => (theirs !== undefined && hasTag(theirs, t)) || unseenBy(t, remoteClock));
      kept.set(key, list);
      const survivors = tagsFrom(list);
      if (survivors !== undefined) out.put(key, value, survivors);
    }
    for (const { key, value, tags } of remote.entries()) {
      const ours = local.tagsOf(value);
      // Tags on both sides were kept above.
      const added = tagList(tags).filter((t) => !(ours !== undefined && hasTag(ours, t)) && unseenBy(t, localClock));
      if (added.length === 0) continue;
      const merged = tagsFrom([...(kept.get(key) ?? []), ...added]) as string | Set<string>;
      out.put(key, kept.get(key)?.length ? local.heldValue(value) : value, merged);
    }
    return out;
  },
  encode: (state) => state.sortedEntries().map(({ value, tags }) => [value, tagList(tags).sort()]),
  decode(encoded) {
    const state = new SetAwState();
    for (const pair of expectArray(encoded, 'set_aw state')) {
      const [value, tags] = expectArray(pair, 'set_aw state entry');
      const kept = tagsFrom(expectTags(tags, 'set_aw tags'));
      if (kept === undefined) continue;
      const element = expectJson(value, 'set_aw element');
      state.put(canonicalJson(element), element, kept);
    }
    return state;
  },
  clone: (state) => state.clone(),
};
