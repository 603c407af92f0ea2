import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/core/errors';
import { MinidoteClient } from '../../src/net/client';
import { checkListenPolicy } from '../../src/node/listenPolicy';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { tempDir } from '../support/tempDir';
import { TEAM_SECRET } from './harness';

describe('hostile 4: clearing the team secret while listening', function () {
  this.timeout(30_000);
  const dir = tempDir('minidote-hostile-secret-');
  after(() => dir.cleanup());

  it('is allowed on loopback, and the listen policy refuses any other address without a secret', async () => {
    const node = await MinidoteNode.open({ dataDir: dir.path, listen: { host: '127.0.0.1', port: 0 }, secret: TEAM_SECRET });
    try {
      node.setSecret(undefined);
      const client = await MinidoteClient.connect(node.listenUrl as string, { timeoutMs: 5000 });
      client.close();
    } finally {
      await node.close();
    }
    // Tests bind loopback only, so the refusal beyond it is checked on the policy the node applies.
    assert.throws(() => checkListenPolicy('0.0.0.0', undefined), InvalidInputError);
    assert.throws(() => checkListenPolicy('192.168.1.20', undefined), InvalidInputError);
    assert.doesNotThrow(() => checkListenPolicy('0.0.0.0', TEAM_SECRET));
    assert.doesNotThrow(() => checkListenPolicy('127.0.0.1', undefined));
  });
});
