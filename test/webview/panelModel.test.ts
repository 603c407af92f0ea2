import assert from 'node:assert/strict';
import { objectId } from '../../src/core/transaction';
import { emptyModel, hasChanges, reduce } from '../../src/webview/model/panelModel';
import { MAX_TRANSACTIONS_SHOWN, TxnView } from '../../src/webview/protocol';
import { counterDeploys, flagDeploy, sampleSnapshot, setCart } from './fixtures';

const txn = (seq: number): TxnView => ({ origin: 'alice', clock: { alice: seq }, at: seq, deliveredAt: seq, local: true, keys: [] });

describe('webview/panelModel', () => {
  it('starts empty and takes a whole snapshot on reset', () => {
    const model = emptyModel();
    assert.equal(model.loaded, false);
    const changes = reduce(model, [{ kind: 'reset', snapshot: sampleSnapshot() }]);
    assert.equal(changes.everything, true);
    assert.equal(model.loaded, true);
    assert.equal(model.objects.size, 7);
    assert.deepEqual(model.objects.get(objectId(setCart)), setCart);
    assert.equal(model.self?.displayName, 'Alice (laptop)');
  });

  it('applies deltas in order and reports exactly what they touched', () => {
    const model = emptyModel();
    reduce(model, [{ kind: 'reset', snapshot: sampleSnapshot() }]);
    const changes = reduce(model, [
      { kind: 'delta', delta: { objects: [{ ...counterDeploys, value: 43 }] } },
      { kind: 'delta', delta: { objects: [{ ...counterDeploys, value: 44 }], clock: { alice: 13 } } },
    ]);
    assert.deepEqual([...changes.objects], [objectId(counterDeploys)]);
    assert.equal(changes.clock, true);
    assert.equal(changes.peers || changes.waiting || changes.storage || changes.transactions || changes.everything, false);
    assert.equal(model.objects.get(objectId(counterDeploys))?.value, 44);
    assert.deepEqual(model.clock, { alice: 13 });
    assert.equal(hasChanges(reduce(model, [])), false);
  });

  it('adds objects that appear in a delta and keeps the waiting count with the list', () => {
    const model = emptyModel();
    reduce(model, [{ kind: 'reset', snapshot: sampleSnapshot([flagDeploy]) }]);
    reduce(model, [{ kind: 'delta', delta: { objects: [setCart], waiting: [], waitingTotal: 0 } }]);
    assert.equal(model.objects.size, 2);
    assert.equal(model.waitingTotal, 0);
  });

  it('keeps an inspect answer that arrived after an older delta for the same object', () => {
    const model = emptyModel();
    reduce(model, [{ kind: 'reset', snapshot: sampleSnapshot([setCart]) }]);
    const id = objectId(setCart);
    const tags = [['apples', ['alice:1:0']]];
    reduce(model, [
      { kind: 'delta', delta: { objects: [{ ...setCart, value: ['apples'] }] } },
      { kind: 'internal', id, internal: tags },
    ]);
    assert.deepEqual(model.objects.get(id), { ...setCart, value: ['apples'], internal: tags });
    reduce(model, [{ kind: 'internal', id, internal: null }]);
    assert.equal('internal' in (model.objects.get(id) ?? {}), false);
    const ignored = reduce(model, [{ kind: 'internal', id: objectId(flagDeploy), internal: [] }]);
    assert.equal(hasChanges(ignored), false, 'an answer for an object that is gone changes nothing');
  });

  it('keeps the replicas the node knows by id, replaced by a delta that carries them', () => {
    const model = emptyModel();
    reduce(model, [{ kind: 'reset', snapshot: sampleSnapshot() }]);
    assert.equal(model.replicas.get('erin')?.displayName, 'Erin (tablet)');
    const dave = { id: 'dave', displayName: 'Dave', online: 'via-peer' as const, lastSeen: null };
    const changes = reduce(model, [{ kind: 'delta', delta: { replicas: [dave] } }]);
    assert.equal(changes.replicas, true);
    assert.equal(changes.peers || changes.clock || changes.everything, false);
    assert.deepEqual([...model.replicas.keys()], ['dave']);
    assert.equal(reduce(model, [{ kind: 'delta', delta: { clock: { alice: 13 } } }]).replicas, false);
    assert.equal(model.replicas.size, 1, 'a delta without replicas keeps them');
  });

  it('appends transactions, keeps only the most recent ones, and replaces the list when told', () => {
    const model = emptyModel();
    reduce(model, [{ kind: 'reset', snapshot: { ...sampleSnapshot([]), transactions: [] } }]);
    for (let i = 1; i <= MAX_TRANSACTIONS_SHOWN + 10; i += 10) {
      reduce(model, [{ kind: 'delta', delta: { transactions: Array.from({ length: 10 }, (_, k) => txn(i + k)) } }]);
    }
    assert.equal(model.transactions.length, MAX_TRANSACTIONS_SHOWN);
    assert.equal(model.transactions[0].clock.alice, 11);
    const changes = reduce(model, [{ kind: 'delta', delta: { replaceTransactions: true, transactions: [txn(500)] } }]);
    assert.equal(changes.transactions, true);
    assert.deepEqual(
      model.transactions.map((t) => t.clock.alice),
      [500],
    );
  });
});
