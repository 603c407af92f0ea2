import assert from 'node:assert/strict';
import { updatesFromBatch } from '../../src/cli/operationArgs';
import { InvalidInputError } from '../../src/core/errors';
import { MAX_NAME_LENGTH, UpdateSchema, parseWith } from '../../src/core/schemas';
import { parseJsonField, parseTarget } from '../../src/extension/commandArgs';
import { ClientRequest, decode } from '../../src/net/messages';

const update = { type: 'set_aw', bucket: 'shop', key: 'cart', op: 'add', args: ['milk'] };
const long = 'n'.repeat(MAX_NAME_LENGTH + 1);

/** The same update as a client request on the wire. */
const onWire = (u: unknown) => decode(ClientRequest, JSON.stringify({ t: 'update', id: 1, updates: [u] }));

describe('UpdateSchema: one check for the wire, the CLI batch and command arguments', () => {
  it('accepts a well-formed update everywhere, keeping only its fields', () => {
    assert.deepEqual(parseWith(UpdateSchema, { ...update, extra: true }, 'the update'), update);
    assert.equal(onWire(update).ok, true);
    assert.deepEqual(updatesFromBatch(JSON.stringify([update])), [update]);
    assert.deepEqual(parseTarget({ bucket: 'shop', key: 'cart', type: 'set_aw', element: 'milk' }), {
      bucket: 'shop',
      key: 'cart',
      type: 'set_aw',
    });
    assert.equal(parseJsonField({ element: 'milk' }, 'element'), 'milk');
  });

  it(`refuses bucket and key names over ${MAX_NAME_LENGTH} characters everywhere`, () => {
    for (const names of [{ bucket: long }, { key: long }]) {
      const bad = { ...update, ...names };
      const field = Object.keys(names)[0];
      assert.throws(
        () => parseWith(UpdateSchema, bad, 'the update'),
        new RegExp(`at ${field}: must be at most ${MAX_NAME_LENGTH} characters`),
      );
      const wire = onWire(bad);
      assert.equal(wire.ok, false);
      assert.match(wire.ok ? '' : wire.reason, new RegExp(field));
      assert.throws(
        () => updatesFromBatch(JSON.stringify([bad])),
        (e: unknown) => e instanceof InvalidInputError && new RegExp(`batch item 1 .*${field}`).test(e.message),
      );
      assert.throws(() => parseTarget({ bucket: bad.bucket, key: bad.key }), InvalidInputError);
    }
    assert.throws(() => parseTarget(`shop/${long}`), /key/);
    assert.equal(onWire({ ...update, bucket: 'b'.repeat(MAX_NAME_LENGTH) }).ok, true);
  });

  it('names an unknown type with the known ones, and refuses arguments that are not JSON', () => {
    assert.throws(
      () => parseWith(UpdateSchema, { ...update, type: 'set_xx' }, 'the update'),
      /unknown type "set_xx"; known types: counter_pn/,
    );
    assert.equal(onWire({ ...update, type: 'set_xx' }).ok, false);
    assert.throws(() => updatesFromBatch(JSON.stringify([{ ...update, args: 'milk' }])), /batch item 1 .*args/);
    const infinite = '{"t":"update","id":1,"updates":[{"type":"counter_pn","bucket":"b","key":"k","op":"increment","args":[1e999]}]}';
    assert.equal(decode(ClientRequest, infinite).ok, false);
    assert.throws(() => parseJsonField({ element: Number.POSITIVE_INFINITY }, 'element'), InvalidInputError);
  });
});
