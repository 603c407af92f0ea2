import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { Replica } from '../../src/core/replica';
import { Transaction } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';
import { Storage, openStorage } from '../../src/storage';
import { updateFor } from './fixtures/workload';
import { applyUpdates, removeTempDirs, tempDir } from './helpers';

const PEER_UPDATES = 40;

/** The transactions a peer replica made, in the order it made them. */
async function peerHistory(id: string): Promise<Transaction[]> {
  const peer = new Replica(id, { now: () => 0 });
  const made: Transaction[] = [];
  peer.onChange((change) => {
    if (change.kind === 'transaction') made.push(change.transaction);
  });
  for (let n = 1; n <= PEER_UPDATES; n++) await peer.update(updateFor(n));
  return made;
}

type Step = 'local' | 'beta' | 'gamma' | 'snapshot';

/** Every clock from {} up to `top`, a few steps apart per entry. */
function clocksUpTo(top: VectorClock): VectorClock[] {
  let out: VectorClock[] = [{}];
  for (const [id, last] of Object.entries(top)) {
    const values = [0, 1, Math.floor(last / 3), Math.floor(last / 2), last - 1, last].filter((v) => v >= 0 && v <= last);
    out = out.flatMap((clock) => values.map((v) => (v === 0 ? clock : { ...clock, [id]: v })));
  }
  return out;
}

function assertCountsMatch(storage: Storage, top: VectorClock, when: string): void {
  for (const clock of clocksUpTo(top)) {
    const read = storage.transactionsSince(clock);
    const cost = storage.transactionCostSince(clock);
    assert.equal(cost?.records, read?.length, `${when}, since ${JSON.stringify(clock)}`);
    assert.equal(cost?.bytes === 0, read?.length === 0, `${when}, bytes since ${JSON.stringify(clock)}: ${cost?.bytes}`);
  }
}

describe('storage: the cost of reading the log since a clock', function () {
  this.timeout(120_000);
  afterEach(removeTempDirs);

  it('counts exactly the records a read would return, across segments and origins, also after a reopen', async () => {
    const peers = { beta: await peerHistory('beta'), gamma: await peerHistory('gamma') };
    const step = fc.constantFrom<Step>('local', 'local', 'beta', 'gamma', 'snapshot');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        const dir = tempDir();
        const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', replica: { now: () => 0 } });
        storage.setRetention({}); // a peer that has nothing: every segment stays
        const next = { local: 1, beta: 0, gamma: 0 };
        for (const s of steps) {
          if (s === 'snapshot') await storage.writeSnapshot();
          else if (s === 'local') await replica.update(updateFor(next.local++));
          else if (next[s] < PEER_UPDATES) assert.equal(replica.receive(peers[s][next[s]++]), 'delivered');
        }
        const top = replica.clock;
        assertCountsMatch(storage, top, 'while open');
        await storage.close();
        // Segments before the snapshot recovery starts from are only checksummed on open.
        const reopened = await openStorage(dir, { replica: { now: () => 0 } });
        assertCountsMatch(reopened.storage, top, 'reopened');
        await reopened.storage.close();
      }),
      { numRuns: 12 },
    );
  });

  it('puts the bytes at or a little above what the records take on a link', async () => {
    const { storage, replica } = await openStorage(tempDir(), { id: 'alpha', fsync: 'never' });
    await applyUpdates(replica, 1, 2000);
    const all = storage.transactionsSince({}) as Transaction[];
    const onLink = new LinkEncoder().transactions(all, Infinity).reduce((sum, m) => sum + m.length, 0);
    const cost = storage.transactionCostSince({});
    assert.equal(cost?.records, 2000);
    // A record codes its clock against the segment's start, a link against the previous transaction.
    const ratio = (cost?.bytes ?? 0) / onLink;
    assert.ok(ratio > 0.9 && ratio < 2, `log ${cost?.bytes} B against ${onLink} B on a link`);
    await storage.close();
  });

  it('says undefined when the log no longer holds what a clock lacks, as a read does', async () => {
    const { storage, replica } = await openStorage(tempDir(), { id: 'alpha', fsync: 'never' });
    await applyUpdates(replica, 1, 50);
    await storage.writeSnapshot();
    await applyUpdates(replica, 51, 60);
    await storage.writeSnapshot();
    assert.equal(storage.transactionsSince({ alpha: 49 }), undefined);
    assert.equal(storage.transactionCostSince({ alpha: 49 }), undefined);
    assert.deepEqual(storage.transactionCostSince({ alpha: 60 }), { records: 0, bytes: 0 });
    assert.equal(storage.transactionCostSince({ alpha: 55 })?.records, 5);
    await storage.close();
  });
});
