import assert from 'node:assert/strict';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { ReferenceReplica, stateText } from './fixtures/workload';
import { removeTempDirs, spawnFixture, tempDir } from './helpers';

/** Each round: a writer with these settings, killed after a random number of acknowledgements. */
const ROUNDS = [
  { fsync: 'never', concurrency: 1 },
  { fsync: 'always', concurrency: 8 },
  { fsync: 'never', concurrency: 4 },
  { fsync: 'interval:5', concurrency: 2 },
  { fsync: 'always', concurrency: 1 },
  { fsync: 'never', concurrency: 8 },
  { fsync: 'interval:50', concurrency: 4 },
  { fsync: 'never', concurrency: 2 },
];

describe('storage: a writer killed with SIGKILL', function () {
  this.timeout(90_000);
  afterEach(removeTempDirs);

  it('loses no acknowledged update and never half-applies one, over many kill points', async () => {
    const dir = tempDir();
    let reference: ReferenceReplica | undefined;
    let recovered = 0;
    for (const [round, settings] of ROUNDS.entries()) {
      const killAfter = 200 + Math.floor(Math.random() * 1800);
      const where = `round ${round + 1} (${JSON.stringify(settings)}, killed after ${killAfter} acks)`;
      const child = spawnFixture('writer.ts', [
        dir,
        ...['--fsync', settings.fsync, '--snapshot-every', '150', '--concurrency', String(settings.concurrency)],
      ]);
      const [id, start] = await child.until((lines) => {
        const ready = lines.find((l) => l.startsWith('ready '));
        return ready ? (ready.split(' ').slice(1) as [string, string]) : undefined;
      });
      assert.equal(Number(start), recovered, `${where}: the writer did not start where recovery ended`);
      await child.until((lines) => (lines.length > killAfter ? true : undefined));
      await child.kill();

      const acked = child.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      const { storage, replica } = await openStorage(dir, { fsync: 'never' });
      try {
        const n = entry(replica.clock, id);
        const lastAcked = Math.max(...acked);
        assert.ok(n >= lastAcked, `${where}: recovered ${n} updates, but ${lastAcked} were acknowledged`);
        reference ??= new ReferenceReplica(id);
        const expected = await reference.stateAfter(n);
        assert.equal(stateText(replica), expected, `${where}: state is not the workload's first ${n} updates`);
        assert.deepEqual(storage.recovery.cut, [], `${where}: a kill cannot tear a record`);
        recovered = n;
      } finally {
        await storage.close();
      }
    }
    assert.ok(recovered > 600, `only ${recovered} updates over all rounds`);
  });
});
