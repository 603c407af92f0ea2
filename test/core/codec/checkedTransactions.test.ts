import assert from 'node:assert/strict';
import { wasCheckedByCodec } from '../../../src/core/codec/checkedTransactions';
import { LinkDecoder, LinkEncoder } from '../../../src/core/codec/linkCodec';
import { InvalidInputError } from '../../../src/core/errors';
import { Replica } from '../../../src/core/replica';
import { Transaction } from '../../../src/core/transaction';

describe('core/codec: transactions the codec checked as it read them', () => {
  it('are known as checked, where copies and transactions made elsewhere are not', async () => {
    const writer = new Replica('alpha');
    const made: Transaction[] = [];
    writer.onChange((change) => change.kind === 'transaction' && made.push(change.transaction));
    await writer.update([{ bucket: 'b', key: 's', type: 'set_aw', op: 'add', args: ['x'] }]);
    const decoded = new LinkDecoder().decode(new LinkEncoder().transactions(made, 1 << 20)[0]);
    assert.equal(decoded.t, 'txns');
    const [read] = decoded.txns;
    assert.ok(wasCheckedByCodec(read));
    assert.ok(!wasCheckedByCodec(made[0]));
    assert.ok(!wasCheckedByCodec({ ...read }));

    const reader = new Replica('beta');
    assert.equal(reader.receive(read), 'delivered');
    assert.deepEqual(reader.value({ bucket: 'b', key: 's', type: 'set_aw' }), ['x']);
    // A copy whose add claims a tag of another transaction is refused: it was not read by the codec.
    const forged: Transaction = {
      ...read,
      clock: { alpha: 2 },
      effects: [{ ...read.effects[0], effect: { tag: 'alpha:1:0', add: ['y'], rm: [] } }],
    };
    assert.throws(() => new Replica('gamma').receive(forged), InvalidInputError);
  });
});
