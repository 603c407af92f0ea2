import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { Json, MAX_DOCUMENT_DEPTH } from '../../src/core/json';
import {
  ClockSchema,
  JsonValueSchema,
  MAX_CLOCK_ENTRIES,
  MAX_EFFECTS_PER_TRANSACTION,
  MAX_NAME_LENGTH,
  MAX_SEQUENCE,
  StoredObjectSchema,
  TransactionSchema,
  parseWith,
} from '../../src/core/schemas';

function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    origin: 'A',
    clock: { A: 3, B: 1 },
    at: 1_700_000_000_000,
    effects: [{ bucket: 'b', key: 'k', type: 'counter_pn', effect: 2 }],
    ...overrides,
  };
}

function nested(levels: number): Json {
  let value: Json = 'x';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Parsing must fail with InvalidInputError (never a RangeError or a silent success). */
function assertMalformed(schema: Parameters<typeof parseWith>[0], value: unknown, message?: RegExp): void {
  assert.throws(
    () => parseWith(schema, value, 'the input'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
      if (message) assert.match(error.message, message);
      return true;
    },
  );
}

describe('schemas', () => {
  describe('TransactionSchema', () => {
    it('accepts a well-formed transaction', () => {
      assert.deepEqual(parseWith(TransactionSchema, transaction(), 'the input'), transaction());
    });

    it('refuses a time of Infinity, which JSON.parse makes of 1e999', () => {
      const parsed = JSON.parse('{"origin":"A","clock":{"A":1},"at":1e999,"effects":[]}') as unknown;
      assertMalformed(TransactionSchema, parsed, /at/);
      assertMalformed(TransactionSchema, transaction({ at: Number.NaN }));
    });

    it('refuses an effect nested 5000 levels deep with InvalidInputError', () => {
      const effects = [{ bucket: 'b', key: 'k', type: 'set_aw', effect: nested(5000) }];
      assertMalformed(TransactionSchema, transaction({ effects }), /deeper/);
    });

    it('refuses an effect holding a non-finite number', () => {
      const effects = [{ bucket: 'b', key: 'k', type: 'counter_pn', effect: { n: [Infinity] } }];
      assertMalformed(TransactionSchema, transaction({ effects }), /finite/);
    });

    it(`accepts a document ${MAX_DOCUMENT_DEPTH} levels deep, so every valid value fits in an effect`, () => {
      const effects = [{ bucket: 'b', key: 'k', type: 'set_aw', effect: nested(MAX_DOCUMENT_DEPTH) }];
      parseWith(TransactionSchema, transaction({ effects }), 'the input');
    });

    it(`refuses more than ${MAX_EFFECTS_PER_TRANSACTION} effects`, () => {
      const effect = { bucket: 'b', key: 'k', type: 'counter_pn', effect: 1 };
      const effects = Array.from({ length: MAX_EFFECTS_PER_TRANSACTION + 1 }, () => effect);
      assertMalformed(TransactionSchema, transaction({ effects }));
      parseWith(TransactionSchema, transaction({ effects: effects.slice(1) }), 'the input');
    });

    it(`refuses bucket and key names over ${MAX_NAME_LENGTH} characters`, () => {
      const long = 'n'.repeat(MAX_NAME_LENGTH + 1);
      assertMalformed(TransactionSchema, transaction({ effects: [{ bucket: long, key: 'k', type: 'flag_ew', effect: {} }] }));
      assertMalformed(TransactionSchema, transaction({ effects: [{ bucket: 'b', key: long, type: 'flag_ew', effect: {} }] }));
    });

    it('refuses a missing effect', () => {
      assertMalformed(TransactionSchema, transaction({ effects: [{ bucket: 'b', key: 'k', type: 'flag_ew' }] }));
    });
  });

  describe('ClockSchema', () => {
    it('accepts entries keyed by replica ids, also ids that are Object.prototype property names', () => {
      const clock = JSON.parse('{"A":1,"constructor":2,"prototype":3,"toString":0}') as unknown;
      assert.deepEqual(parseWith(ClockSchema, clock, 'the clock'), { A: 1, constructor: 2, prototype: 3, toString: 0 });
    });

    for (const [what, clock] of [
      ['a key that is not a replica id', { 'no spaces': 1 }],
      ['an empty key', { '': 1 }],
      ['a "__proto__" key', JSON.parse('{"__proto__":1}') as unknown],
      [`an entry over ${MAX_SEQUENCE}`, { A: MAX_SEQUENCE + 1 }],
      ['an entry of 2^53 - 1', { A: Number.MAX_SAFE_INTEGER }],
      ['a negative entry', { A: -1 }],
      ['a fractional entry', { A: 0.5 }],
      ['a deep entry', { A: nested(5000) }],
      ['an array', [1]],
    ] as const) {
      it(`refuses ${what}`, () => assertMalformed(ClockSchema, clock));
    }

    it(`refuses a clock of more than ${MAX_CLOCK_ENTRIES} entries`, () => {
      const clock: Record<string, number> = {};
      for (let i = 0; i <= MAX_CLOCK_ENTRIES; i++) clock[`r${i}`] = 1;
      assertMalformed(ClockSchema, clock, /at most/);
      delete clock.r0;
      parseWith(ClockSchema, clock, 'the clock');
    });

    it('refuses a transaction whose clock has an invalid key', () => {
      assertMalformed(TransactionSchema, transaction({ clock: { A: 1, 'x y': 1 } }));
    });
  });

  describe('StoredObjectSchema and JsonValueSchema', () => {
    it('refuses a state nested 5000 levels deep with InvalidInputError', () => {
      assertMalformed(StoredObjectSchema, { bucket: 'b', key: 'k', type: 'set_aw', state: nested(5000) });
    });

    it('refuses a missing or non-finite value', () => {
      assertMalformed(JsonValueSchema, undefined);
      assertMalformed(JsonValueSchema, Infinity);
    });

    it('accepts any bounded JSON value', () => {
      assert.deepEqual(parseWith(JsonValueSchema, { a: [1, null, 'x'] }, 'the value'), { a: [1, null, 'x'] });
    });
  });
});
