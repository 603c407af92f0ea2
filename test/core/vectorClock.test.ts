import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { compare, entry, increment, leq, merge, normalize, parseClock } from '../../src/core/vectorClock';

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

  describe('increment', () => {
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

    it('accepts what JSON.parse gives for a clock flag', () => {
      assert.deepEqual(parseClock(JSON.parse('{"replicaA": 3}')), { replicaA: 3 });
    });

    for (const [what, input] of [
      ['null', null],
      ['an array', [1, 2]],
      ['a number', 3],
      ['a string', '{"a":1}'],
      ['undefined', undefined],
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
    ] as const) {
      it(`rejects ${what} with InvalidInputError naming the entry`, () => {
        assert.throws(() => parseClock({ a: 1, bad: count }), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.match(error.message, /"bad"/);
          return true;
        });
      });
    }
  });
});
