import { Json, compareCanonical, sortedUnique } from '../json';
import type { CrdtType } from './crdtType';
import { describeTag } from './stateDescription';
import { expectArray, expectJson, expectOwnTag, expectRecord, expectTag, expectTags, expectValue, unseenBy } from './shapes';
import { shortValue } from './effectText';

/** The concurrent versions: each value with the unique tag of the assign that wrote it. */
export type RegisterMvState = { value: Json; tag: string }[];

interface RegisterMvEffect {
  /** Tags of the versions the origin observed: exactly what this assign overwrites. */
  rm: string[];
  set?: { value: Json; tag: string };
}

/** Sorted by tag so that equal states encode (and show) equally, whatever order the versions arrived in. */
function byTag(state: RegisterMvState): RegisterMvState {
  return [...state].sort((x, y) => compareCanonical(x.tag, y.tag));
}

/** Multi-value register: concurrent assigns all survive until a later assign observes them. */
export const registerMv: CrdtType<RegisterMvState, 'register_mv'> = {
  name: 'register_mv',
  summary: 'multi-value register (keeps concurrent assignments)',
  descriptor: {
    family: 'register',
    label: 'multi-value register',
    icon: 'symbol-variable',
    explanation: 'multi-value register: concurrent assigns are all kept',
    describeEffect(effect) {
      const { set } = effect as unknown as RegisterMvEffect;
      return set ? `assigned ${shortValue(set.value)}` : 'reset';
    },
    describe: (state) => ({
      kind: 'versions',
      versions: byTag(state).map(({ value, tag }) => ({ value, tag: describeTag(tag) })),
    }),
  },
  operations: [
    { name: 'assign', args: { kind: 'oneValue' }, summary: 'overwrite the values this replica has seen' },
    { name: 'reset', args: { kind: 'none' }, summary: 'clear the values this replica has seen' },
  ],
  initial: () => [],
  value: (state) => sortedUnique(state.map((v) => v.value)),
  prepare(state, op, args, { tag }) {
    const effect: RegisterMvEffect = { rm: state.map((v) => v.tag) };
    if (op === 'assign') effect.set = { value: args[0], tag };
    return effect as unknown as Json;
  },
  validateEffect(effect, origin, seq) {
    const rec = expectRecord(effect, 'register_mv effect');
    expectTags(rec.rm, 'register_mv effect.rm');
    if (rec.set !== undefined) {
      const set = expectRecord(rec.set, 'register_mv effect.set');
      expectValue(set.value, 'register_mv effect.set.value');
      expectOwnTag(set.tag, 'register_mv effect.set.tag', origin, seq);
    }
  },
  codec: {
    encode(raw, out) {
      const effect = raw as unknown as RegisterMvEffect;
      out.tags(effect.rm);
      out.w.u8(effect.set ? 1 : 0);
      if (effect.set) {
        out.json(effect.set.value);
        out.ownTag(effect.set.tag);
      }
    },
    decode(input) {
      const effect: RegisterMvEffect = { rm: input.tags() };
      const hasSet = input.r.u8();
      if (hasSet > 1) throw input.r.problem('register_mv effect: bad set marker');
      if (hasSet === 1) {
        const value = input.newValue('register_mv effect.set.value');
        effect.set = { value, tag: input.ownTag() };
      }
      return effect as unknown as Json;
    },
  },
  apply(state, raw) {
    const { rm, set } = raw as unknown as RegisterMvEffect;
    // Usually one version overwrites one: a Set of the retired tags only pays off for many.
    const overwritten = rm.length > 8 ? new Set(rm) : undefined;
    let kept = 0;
    for (const version of state) {
      if (overwritten ? !overwritten.has(version.tag) : !rm.includes(version.tag)) state[kept++] = version;
    }
    state.length = kept;
    if (set) state.push({ value: set.value, tag: set.tag });
    return state;
  },
  join(local, localClock, remote, remoteClock) {
    const remoteTags = new Set(remote.map((v) => v.tag));
    const localTags = new Set(local.map((v) => v.tag));
    return [
      ...local.filter((v) => remoteTags.has(v.tag) || unseenBy(v.tag, remoteClock)),
      ...remote.filter((v) => !localTags.has(v.tag) && unseenBy(v.tag, localClock)),
    ].map((v) => ({ ...v }));
  },
  encode: (state) => byTag(state).map(({ value, tag }) => ({ value, tag })),
  decode: (encoded) =>
    expectArray(encoded, 'register_mv state').map((v) => {
      const rec = expectRecord(v, 'register_mv version');
      return { value: expectJson(rec.value, 'register_mv value'), tag: expectTag(rec.tag, 'register_mv tag') };
    }),
  clone: (state) => state.map((v) => ({ ...v })),
};
