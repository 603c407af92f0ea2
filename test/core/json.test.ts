import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import {
  Json,
  MAX_DOCUMENT_DEPTH,
  MAX_JSON_DEPTH,
  MAX_VALUE_BYTES,
  canonicalJson,
  isJson,
  jsonProblem,
  parseJsonText,
  sortedUnique,
  valueProblem,
} from '../../src/core/json';

/** Arrays nested `levels` deep around 1. */
function nestedArrays(levels: number): Json {
  let value: Json = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Objects nested `levels` deep around 1. */
function nestedObjects(levels: number): Json {
  let value: Json = 1;
  for (let i = 0; i < levels; i++) value = { k: value };
  return value;
}

describe('json', () => {
  describe('isJson and jsonProblem', () => {
    it('accepts scalars, plain objects, null-prototype objects and arrays', () => {
      const bare = Object.create(null) as Record<string, Json>;
      bare.a = 1;
      for (const value of [null, true, 0, -1.5, 'x', [], {}, [1, 'a', { b: [null] }], bare]) {
        assert.equal(isJson(value), true, JSON.stringify(value));
      }
    });

    it('refuses non-finite numbers, also the Infinity that JSON.parse makes of 1e999', () => {
      const parsed: unknown = JSON.parse('{"a":[1e999]}');
      for (const value of [Infinity, -Infinity, Number.NaN, [Number.NaN], parsed]) {
        assert.equal(isJson(value), false);
      }
      assert.match(jsonProblem(parsed) ?? '', /finite/);
    });

    it('refuses what JSON cannot carry', () => {
      const holes: unknown[] = [];
      holes[2] = 1;
      for (const value of [undefined, () => 1, Symbol('s'), 10n, new Date(0), new Map(), [undefined], { a: undefined }, holes]) {
        assert.equal(isJson(value), false, String(value));
      }
    });

    it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
      assert.equal(isJson(nestedArrays(MAX_JSON_DEPTH)), true);
      assert.equal(isJson(nestedObjects(MAX_JSON_DEPTH)), true);
      assert.equal(isJson(nestedArrays(MAX_JSON_DEPTH + 1)), false);
      assert.equal(isJson(nestedObjects(MAX_JSON_DEPTH + 1)), false);
      assert.match(jsonProblem(nestedArrays(MAX_JSON_DEPTH + 1)) ?? '', /deeper than 64 levels/);
    });

    it('refuses a value nested 100,000 levels deep without overflowing the stack', () => {
      const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
      assert.equal(isJson(deep), false);
      assert.equal(jsonProblem(deep, MAX_DOCUMENT_DEPTH) !== undefined, true);
    });

    it('refuses a cyclic value instead of looping', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      assert.equal(isJson(cyclic), false);
    });

    it('takes no depth from a second argument, so values.every(isJson) checks each value fully', () => {
      assert.equal([[1], [[2]]].every(isJson), true);
    });
  });

  describe('valueProblem', () => {
    it('accepts a value whose canonical text is at the size limit and refuses one byte more', () => {
      const atLimit = 'x'.repeat(MAX_VALUE_BYTES - 2);
      assert.equal(valueProblem(atLimit), undefined);
      assert.match(valueProblem(`${atLimit}x`) ?? '', /over the limit/);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const threeBytes = '€'.repeat(Math.floor(MAX_VALUE_BYTES / 3));
      assert.match(valueProblem(threeBytes) ?? '', /over the limit/);
      assert.equal(valueProblem('€'.repeat(100)), undefined);
    });

    it('refuses too-deep and non-finite values before measuring them', () => {
      assert.match(valueProblem(nestedArrays(5000)) ?? '', /deeper/);
      assert.match(valueProblem({ n: Number.NaN }) ?? '', /finite/);
    });
  });

  describe('parseJsonText', () => {
    it('parses bounded JSON', () => {
      assert.deepEqual(parseJsonText('{"a":[1,"x"]}', 'the input'), { a: [1, 'x'] });
    });

    for (const [what, text] of [
      ['malformed text', '{oops'],
      ['a number that overflows to Infinity', '[1e999]'],
      ['a value nested 5000 levels deep', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ] as const) {
      it(`refuses ${what} with InvalidInputError naming the input`, () => {
        assert.throws(
          () => parseJsonText(text, 'the input'),
          (error: unknown) => {
            assert.ok(error instanceof InvalidInputError, String(error));
            assert.match(error.message, /^the input /);
            return true;
          },
        );
      });
    }
  });

  describe('canonicalJson', () => {
    it('sorts object keys at every level', () => {
      assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
    });

    it('keeps an own "__proto__" key that JSON.parse made', () => {
      assert.equal(canonicalJson(JSON.parse('{"__proto__":1,"a":2}') as Json), '{"__proto__":1,"a":2}');
    });

    it('handles any value that passed the check', () => {
      assert.equal(canonicalJson(nestedArrays(MAX_DOCUMENT_DEPTH)), `${'['.repeat(MAX_DOCUMENT_DEPTH)}1${']'.repeat(MAX_DOCUMENT_DEPTH)}`);
    });

    it('refuses a value nested deeper than any document with InvalidInputError, not a stack overflow', () => {
      assert.throws(() => canonicalJson(nestedArrays(100_000)), InvalidInputError);
    });
  });

  it('sortedUnique orders by canonical text and drops equal values', () => {
    assert.deepEqual(sortedUnique(['b', { y: 1, x: 2 }, 'b', { x: 2, y: 1 }, 2]), ['b', 2, { y: 1, x: 2 }]);
  });
});
