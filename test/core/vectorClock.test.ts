import assert from 'node:assert/strict';
import { InvalidInputError, RejectedOperationError } from '../../src/core/errors';
import {
  MAX_CLOCK_ENTRIES,
  MAX_SEQUENCE,
  compare,
  entry,
  increment,
  leq,
  merge,
  mergeInto,
  normalize,
  parseClock,
} from '../../src/core/vectorClock';

describe('vectorClock', () => {
  describe('entry', () => {
    it('reads a missing entry as 0', () => {
      assert.equal(entry({ a: 2 }, 'b'), 0);
      assert.equal(entry({ a: 2 }, 'a'), 2);
    });

    it('does not read inherited properties as entries', () => {
      assert.equal(entry({}, 'constructor'), 0);
      assert.equal(entry({}, 'toString'), 0);
    });
  });

  describe('leq', () => {
    it('treats missing entries as 0 on both sides', () => {
      assert.equal(leq({}, {}), true);
      assert.equal(leq({}, { a: 1 }), true);
      assert.equal(leq({ a: 1 }, {}), false);
      assert.equal(leq({ a: 0 }, {}), true);
      assert.equal(leq({ a: 1 }, { a: 1, b: 3 }), true);
      assert.equal(leq({ a: 1, b: 3 }, { a: 1 }), false);
    });

    it('compares entry by entry', () => {
      assert.equal(leq({ a: 1, b: 2 }, { a: 2, b: 2 }), true);
      assert.equal(leq({ a: 1, b: 3 }, { a: 2, b: 2 }), false);
    });
  });

  describe('compare', () => {
    it('says equal for the same clock, also when zero entries differ', () => {
      assert.equal(compare({ a: 1 }, { a: 1 }), 'equal');
      assert.equal(compare({ a: 1, b: 0 }, { a: 1 }), 'equal');
      assert.equal(compare({}, {}), 'equal');
    });

    it('says before and after', () => {
      assert.equal(compare({ a: 1 }, { a: 2 }), 'before');
      assert.equal(compare({ a: 1 }, { a: 1, b: 1 }), 'before');
      assert.equal(compare({}, { b: 1 }), 'before');
      assert.equal(compare({ a: 2 }, { a: 1 }), 'after');
      assert.equal(compare({ a: 1, b: 1 }, { a: 1 }), 'after');
    });

    it('says concurrent when each has an entry the other lacks', () => {
      assert.equal(compare({ a: 1 }, { b: 1 }), 'concurrent');
      assert.equal(compare({ a: 2, b: 1 }, { a: 1, b: 2 }), 'concurrent');
    });
  });

  describe('merge', () => {
    it('takes the pointwise maximum, keeping entries only one side has', () => {
      assert.deepEqual(merge({ a: 1, b: 5 }, { b: 2, c: 3 }), { a: 1, b: 5, c: 3 });
      assert.deepEqual(merge({}, { a: 1 }), { a: 1 });
      assert.deepEqual(merge({ a: 1 }, {}), { a: 1 });
    });

    it('does not change its arguments', () => {
      const a = { a: 1 };
      const b = { a: 2 };
      merge(a, b);
      assert.deepEqual(a, { a: 1 });
      assert.deepEqual(b, { a: 2 });
    });

    it('is an upper bound of both sides', () => {
      const a = { a: 3, b: 1 };
      const b = { b: 4, c: 1 };
      const m = merge(a, b);
      assert.equal(leq(a, m), true);
      assert.equal(leq(b, m), true);
    });
  });

  describe('mergeInto', () => {
    it('raises the target to the pointwise maximum in place, leaving the source alone', () => {
      const target: Record<string, number> = { a: 1, b: 5 };
      const source = { b: 2, c: 3 };
      mergeInto(target, source);
      assert.deepEqual(target, { a: 1, b: 5, c: 3 });
      assert.deepEqual(source, { b: 2, c: 3 });
    });

    it('treats ids that are Object.prototype property names as plain entries', () => {
      const target: Record<string, number> = {};
      mergeInto(target, { constructor: 2, toString: 1 });
      assert.deepEqual(target, { constructor: 2, toString: 1 });
    });
  });

  describe('increment', () => {
    it(`refuses to count past ${MAX_SEQUENCE}`, () => {
      assert.deepEqual(increment({ a: MAX_SEQUENCE - 1 }, 'a'), { a: MAX_SEQUENCE });
      assert.throws(() => increment({ a: MAX_SEQUENCE }, 'a'), RejectedOperationError);
    });

    it('starts a missing entry at 1', () => {
      assert.deepEqual(increment({}, 'a'), { a: 1 });
      assert.deepEqual(increment({ b: 2 }, 'a'), { a: 1, b: 2 });
    });

    it('adds one to an existing entry without changing the argument', () => {
      const clock = { a: 2 };
      assert.deepEqual(increment(clock, 'a'), { a: 3 });
      assert.deepEqual(clock, { a: 2 });
    });

    it('gives a clock that is after the original', () => {
      assert.equal(compare({ a: 1, b: 1 }, increment({ a: 1, b: 1 }, 'b')), 'before');
    });
  });

  describe('normalize', () => {
    it('drops zero entries and sorts ids', () => {
      assert.equal(JSON.stringify(normalize({ b: 1, a: 0, c: 2 })), '{"b":1,"c":2}');
    });
  });

  describe('parseClock', () => {
    it('accepts an object of non-negative integers', () => {
      assert.deepEqual(parseClock({ a: 3, b: 0 }), { a: 3, b: 0 });
      assert.deepEqual(parseClock({}), {});
    });

    it(`accepts ${MAX_SEQUENCE} and ${MAX_CLOCK_ENTRIES} entries, and refuses one entry more`, () => {
      assert.deepEqual(parseClock({ a: MAX_SEQUENCE }), { a: MAX_SEQUENCE });
      const wide: Record<string, number> = {};
      for (let i = 0; i < MAX_CLOCK_ENTRIES; i++) wide[`r${i}`] = 1;
      assert.equal(Object.keys(parseClock(wide)).length, MAX_CLOCK_ENTRIES);
      wide.extra = 1;
      assert.throws(() => parseClock(wide), /at most/);
    });

    it('accepts ids that are Object.prototype property names', () => {
      assert.deepEqual(parseClock(JSON.parse('{"constructor": 1, "hasOwnProperty": 2}')), { constructor: 1, hasOwnProperty: 2 });
    });

    it('accepts what JSON.parse gives for a clock flag', () => {
      assert.deepEqual(parseClock(JSON.parse('{"replicaA": 3}')), { replicaA: 3 });
    });

    for (const [what, input] of [
      ['null', null],
      ['an array', [1, 2]],
      ['a number', 3],
      ['a string', '{"a":1}'],
      ['undefined', undefined],
      ['an object with a key that is not a replica id', { 'has space': 1 }],
      ['an object with an empty key', { '': 1 }],
      ['an object with a "__proto__" key', JSON.parse('{"__proto__": 1}')],
    ] as const) {
      it(`rejects ${what} with InvalidInputError`, () => {
        assert.throws(() => parseClock(input), InvalidInputError);
      });
    }

    for (const [what, count] of [
      ['a negative entry', -1],
      ['a fractional entry', 1.5],
      ['a string entry', '2'],
      ['a null entry', null],
      ['an unsafe integer entry', 2 ** 60],
      ['a non-finite entry', Infinity],
      [`an entry over ${MAX_SEQUENCE}`, MAX_SEQUENCE + 1],
      ['an entry of 2^53 - 1', Number.MAX_SAFE_INTEGER],
      ['a deeply nested entry', JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`)],
    ] as const) {
      it(`rejects ${what} with InvalidInputError naming the entry`, () => {
        assert.throws(
          () => parseClock({ a: 1, bad: count }),
          (error: unknown) => {
            assert.ok(error instanceof InvalidInputError);
            assert.match(error.message, /"bad"/);
            return true;
          },
        );
      });
    }
  });
});
