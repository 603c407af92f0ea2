import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ObjectsNode } from '../../../src/extension/objectsModel';
import { activated } from '../support/host';
import { MARKER, testToken } from '../support/marker';

describe('a new extension host on the storage the previous one left', () => {
  it('reopens the same replica, with its state', async () => {
    const { api, internals } = await activated();
    const node = await internals.host.whenReady();
    const { values } = await api.read([MARKER, { bucket: 'ops', key: 'builds', type: 'counter_pn' }]);
    assert.deepEqual(values, [[{ token: testToken(), id: node.id }], 4]);
    const buckets = internals.objects.getChildren().map((n: ObjectsNode) => (n.kind === 'bucket' ? n.bucket : ''));
    assert.ok(buckets.includes('team') && buckets.includes('ops'), buckets.join(','));
    // ...and keeps working.
    await vscode.commands.executeCommand('minidote.incrementCounter', { bucket: 'ops', key: 'builds' });
    assert.deepEqual((await api.read([{ bucket: 'ops', key: 'builds', type: 'counter_pn' }])).values, [5]);
  });
});
