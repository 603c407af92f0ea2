import { Json } from '../json';
import { CrdtType } from './crdtType';
import { expectRecord, expectString, expectStrings } from './shapes';

/** The unique tags of the enables still alive; the flag is on while any is. */
export type FlagEwState = Set<string>;

interface FlagEwEffect {
  /** Enables the origin observed: a disable cannot cancel an enable it has not seen. */
  rm: string[];
  enable?: string;
}

/** Enable-wins flag. */
export const flagEw: CrdtType<FlagEwState> = {
  name: 'flag_ew',
  summary: 'enable-wins flag',
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
  validateEffect(effect) {
    const rec = expectRecord(effect, 'flag_ew effect');
    expectStrings(rec.rm, 'flag_ew effect.rm');
    if (rec.enable !== undefined) expectString(rec.enable, 'flag_ew effect.enable');
  },
  apply(state, raw) {
    const effect = raw as unknown as FlagEwEffect;
    for (const t of effect.rm) state.delete(t);
    if (effect.enable !== undefined) state.add(effect.enable);
    return state;
  },
  encode: (state) => [...state].sort(),
  decode: (encoded) => new Set(expectStrings(encoded, 'flag_ew state')),
  clone: (state) => new Set(state),
};
