import { Json } from '../json';
import type { CrdtType } from './crdtType';
import { describeTag } from './stateDescription';
import { expectOwnTag, expectRecord, expectTags, unseenBy } from './shapes';

/** The unique tags of the enables still alive; the flag is on while any is. */
export type FlagEwState = Set<string>;

interface FlagEwEffect {
  /** Enables the origin observed: a disable cannot cancel an enable it has not seen. */
  rm: string[];
  enable?: string;
}

/** Enable-wins flag. */
export const flagEw: CrdtType<FlagEwState, 'flag_ew'> = {
  name: 'flag_ew',
  summary: 'enable-wins flag',
  descriptor: {
    family: 'flag',
    label: 'enable-wins flag',
    icon: 'flag',
    explanation: 'enable-wins flag: a concurrent enable beats a disable',
    describeEffect: (effect) => ((effect as unknown as FlagEwEffect).enable === undefined ? 'disabled' : 'enabled'),
    describe: (state) => ({ kind: 'tokens', tokens: [...state].sort().map(describeTag) }),
  },
  operations: [
    { name: 'enable', args: { kind: 'none' }, summary: 'turn on' },
    { name: 'disable', args: { kind: 'none' }, summary: 'turn off (a concurrent enable wins)' },
    { name: 'reset', args: { kind: 'none' }, summary: 'same as disable' },
  ],
  initial: () => new Set(),
  value: (state) => state.size > 0,
  prepare(state, op, _args, { tag }) {
    const effect: FlagEwEffect = { rm: [...state] };
    if (op === 'enable') effect.enable = tag;
    return effect as unknown as Json;
  },
  validateEffect(effect, origin, seq) {
    const rec = expectRecord(effect, 'flag_ew effect');
    expectTags(rec.rm, 'flag_ew effect.rm');
    if (rec.enable !== undefined) expectOwnTag(rec.enable, 'flag_ew effect.enable', origin, seq);
  },
  codec: {
    encode(raw, out) {
      const effect = raw as unknown as FlagEwEffect;
      out.tags(effect.rm);
      out.w.u8(effect.enable === undefined ? 0 : 1);
      if (effect.enable !== undefined) out.ownTag(effect.enable);
    },
    decode(input) {
      const effect: FlagEwEffect = { rm: input.tags() };
      const enables = input.r.u8();
      if (enables > 1) throw input.r.problem('flag_ew effect: bad enable marker');
      if (enables === 1) effect.enable = input.ownTag();
      return effect as unknown as Json;
    },
  },
  apply(state, raw) {
    const effect = raw as unknown as FlagEwEffect;
    for (const t of effect.rm) state.delete(t);
    if (effect.enable !== undefined) state.add(effect.enable);
    return state;
  },
  join(local, localClock, remote, remoteClock) {
    const out: FlagEwState = new Set();
    for (const t of local) if (remote.has(t) || unseenBy(t, remoteClock)) out.add(t);
    for (const t of remote) if (!local.has(t) && unseenBy(t, localClock)) out.add(t);
    return out;
  },
  encode: (state) => [...state].sort(),
  decode: (encoded) => new Set(expectTags(encoded, 'flag_ew state')),
  clone: (state) => new Set(state),
};
