import assert from 'node:assert/strict';
import { updateFromWords, updatesFromBatch } from '../../src/cli/operationArgs';
import { InvalidInputError } from '../../src/core/errors';
import { MAX_JSON_DEPTH, MAX_VALUE_BYTES } from '../../src/core/json';
import { MAX_NAME_LENGTH } from '../../src/core/schemas';

/** JSON text of arrays nested `levels` deep. */
const deepText = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function assertInvalid(run: () => unknown, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('cli: operation arguments', () => {
  describe('--json arguments', () => {
    it('accepts a value nested as deep as an element may be', () => {
      const update = updateFromWords(['set_aw', 'b', 'k', 'add', deepText(MAX_JSON_DEPTH)], true);
      assert.equal(update.args?.length, 1);
    });

    it('refuses a value nested 100,000 levels deep as bad input, not a stack overflow', () => {
      assertInvalid(() => updateFromWords(['set_aw', 'b', 'k', 'add', deepText(100_000)], true), /deeper/);
      assertInvalid(() => updateFromWords(['set_aw', 'b', 'k', 'add', deepText(MAX_JSON_DEPTH + 1)], true), /deeper/);
    });

    it('refuses a number that JSON.parse turns into Infinity', () => {
      assertInvalid(() => updateFromWords(['register_mv', 'b', 'k', 'assign', '1e999'], true), /finite/);
    });

    it('refuses a value over the size limit', () => {
      const big = JSON.stringify('x'.repeat(MAX_VALUE_BYTES));
      assertInvalid(() => updateFromWords(['register_mv', 'b', 'k', 'assign', big], true), /over the limit/);
      assertInvalid(() => updateFromWords(['register_mv', 'b', 'k', 'assign', 'x'.repeat(MAX_VALUE_BYTES)], false));
    });
  });

  describe('--batch documents', () => {
    const item = (args: unknown) => JSON.stringify([{ type: 'set_aw', bucket: 'b', key: 'k', op: 'add', args }]);

    it('refuses a batch nested 100,000 levels deep as bad input', () => {
      assertInvalid(() => updatesFromBatch(deepText(100_000)), /the batch/);
      assertInvalid(() => updatesFromBatch(`[{"type":"set_aw","bucket":"b","key":"k","op":"add","args":[${deepText(100_000)}]}]`));
    });

    it('refuses an argument nested one level deeper than an element may be', () => {
      assertInvalid(() =>
        updatesFromBatch(`[{"type":"set_aw","bucket":"b","key":"k","op":"add","args":[${deepText(MAX_JSON_DEPTH + 1)}]}]`),
      );
      assert.equal(
        updatesFromBatch(`[{"type":"set_aw","bucket":"b","key":"k","op":"add","args":[${deepText(MAX_JSON_DEPTH)}]}]`).length,
        1,
      );
    });

    it('refuses non-finite numbers and oversized values', () => {
      assertInvalid(() => updatesFromBatch('[{"type":"counter_pn","bucket":"b","key":"k","op":"increment","args":[1e999]}]'));
      assertInvalid(() => updatesFromBatch(item(['x'.repeat(MAX_VALUE_BYTES)])), /batch item 1/);
    });

    it(`refuses bucket and key names over ${MAX_NAME_LENGTH} characters`, () => {
      const long = 'n'.repeat(MAX_NAME_LENGTH + 1);
      assertInvalid(() => updatesFromBatch(JSON.stringify([{ type: 'flag_ew', bucket: long, key: 'k', op: 'enable' }])), /bucket/);
      assertInvalid(() => updateFromWords(['flag_ew', 'b', long, 'enable'], false), /key/);
    });
  });
});
