import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/core/json';
import { Replica } from '../../src/core/replica';
import { objectId } from '../../src/core/transaction';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { ReferenceReplica, stateText } from './fixtures/workload';
import { killChildren, removeTempDirs, spawnFixture, tempDir } from './helpers';

const BIG = { type: 'set_aw', bucket: 'big', key: 'big' } as const;

/** Alpha's objects (every bucket but the peer's) and its clock entry, as comparable text. */
function workloadPart(replica: Replica): string {
  const { clock, objects } = replica.exportState();
  const sorted = objects.filter((o) => o.bucket !== BIG.bucket).sort((a, b) => (objectId(a) < objectId(b) ? -1 : 1));
  return canonicalJson({ alpha: entry(clock, 'alpha'), objects: sorted.map((o) => ({ ...o })) });
}

/** Peer updates in each installed snapshot beyond the one before. */
const PER_INSTALL = 300;

/** Settings of the rounds of the install crash test, taken in turn. */
const INSTALL_ROUNDS = [
  { fsync: 'always', concurrency: 4 },
  { fsync: 'never', concurrency: 2 },
  { fsync: 'interval:5', concurrency: 1 },
];

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
  afterEach(async () => {
    await killChildren();
    removeTempDirs();
  });

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

  it('loses no acknowledged update when killed while installing snapshots from a peer', async () => {
    const dir = tempDir();
    const reference = new ReferenceReplica('alpha');
    let killedMidInstall = 0;
    let round = 0;
    let recovered = { alpha: 0, beta: 0 };
    // Six rounds, and more if fewer than two kills landed inside an install (between its start and
    // done lines), within a bound.
    while (round < 6 || (killedMidInstall < 2 && round < 14)) {
      const settings = INSTALL_ROUNDS[round % INSTALL_ROUNDS.length];
      round++;
      const killAtInstall = 1 + Math.floor(Math.random() * 4);
      const where = `install round ${round} (${JSON.stringify(settings)}, killed at install ${killAtInstall})`;
      const child = spawnFixture('installer.ts', [
        dir,
        ...['--fsync', settings.fsync, '--concurrency', String(settings.concurrency)],
        ...['--snapshot-every', '150', '--per-install', String(PER_INSTALL)],
      ]);
      const ready = await child.until((lines) => lines.find((l) => l.startsWith('ready ')));
      assert.equal(ready, `ready ${recovered.alpha} ${recovered.beta}`, `${where}: did not start where recovery ended`);
      await child.until((lines) => (lines.includes(`install ${killAtInstall} start`) ? true : undefined));
      // At once, or a little later: inside the snapshot write, between it and the log, or after.
      if (round % 2 === 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      await child.kill();

      const lines = child.lines;
      const done = lines.filter((l) => /^install \d+ done$/.test(l)).length;
      if (done < killAtInstall) killedMidInstall++;
      const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      const { storage, replica } = await openStorage(dir, { fsync: 'never' });
      try {
        const alpha = entry(replica.clock, 'alpha');
        const beta = entry(replica.clock, 'beta');
        assert.ok(alpha >= Math.max(0, ...acked), `${where}: recovered ${alpha} updates, but ${Math.max(...acked)} were acknowledged`);
        assert.equal(workloadPart(replica), workloadPart(await reference.replicaAfter(alpha)), `${where}: alpha's updates`);
        // Each beta update added one element: the set holds exactly the first `beta` of them.
        const elements = (replica.value(BIG) as string[]).map((e) => Number(e.slice(1, e.indexOf(':'))));
        assert.deepEqual(
          [...elements].sort((a, b) => a - b),
          Array.from({ length: beta }, (_, i) => i + 1),
          where,
        );
        // Every install that returned is kept; the one the kill interrupted is kept whole or not at all.
        const installed = [recovered.beta + done * PER_INSTALL, recovered.beta + (done + 1) * PER_INSTALL];
        assert.ok(installed.includes(beta), `${where}: ${beta} peer updates after ${done} installs of ${PER_INSTALL} on ${recovered.beta}`);
        assert.deepEqual([storage.recovery.cut, storage.recovery.setAside, storage.recovery.skipped], [[], [], 0], where);
        recovered = { alpha, beta };
      } finally {
        await storage.close();
      }
    }
    assert.ok(killedMidInstall >= 1, `no kill landed inside an install in ${round} rounds`);
    assert.ok(recovered.beta >= PER_INSTALL, `only ${recovered.beta} peer updates were installed over all rounds`);
    assert.ok(recovered.alpha >= 150, `only ${recovered.alpha} local updates over all rounds`);
  });
});
