import { Json } from '../json';
import { CrdtType } from './crdtType';
import { expectInteger } from './shapes';

/** Op-based PN-counter: the effect is the signed delta, so concurrent effects commute. */
export const counterPn: CrdtType<number> = {
  name: 'counter_pn',
  summary: 'integer counter (op-based)',
  operations: [
    { name: 'increment', args: { kind: 'optionalInteger', positive: false }, summary: 'add n (default 1)' },
    { name: 'decrement', args: { kind: 'optionalInteger', positive: false }, summary: 'subtract n (default 1)' },
  ],
  initial: () => 0,
  value: (state) => state,
  prepare(_state, op, args) {
    const n = args.length === 0 ? 1 : (args[0] as number);
    return op === 'increment' ? n : -n;
  },
  validateEffect: (effect) => void expectInteger(effect, 'counter_pn effect'),
  apply: (state, effect) => state + (effect as number),
  encode: (state) => state,
  decode: (encoded: Json) => expectInteger(encoded, 'counter_pn state'),
  clone: (state) => state,
};
