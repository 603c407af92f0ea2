import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { CLI } from '../cli/cliProcess';
import { waitUntil } from '../support/waitFor';
import { Fleet, answersReadWithin, key, sleep } from './harness';
import { MiB, establishedConnections, residentBytes, sampleResidentPeak } from './system';
import { EvilPeer, effect, transaction } from './wire';

const probe = key('counter_pn', 'probe', 'k');

describe('hostile 8: bounded memory and time against an authenticated peer or local client', function () {
  this.timeout(120_000);
  let fleet: Fleet;
  const readers: ChildProcess[] = [];
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => {
    for (const reader of readers.splice(0)) reader.kill('SIGKILL');
    fleet.cleanup();
  });

  it('(a) 100,000 gapped transactions leave at most 10,000 waiting, and reads stay prompt', async () => {
    const a = await fleet.serve({ id: 'gapA' });
    const evil = await EvilPeer.connect(a.url, { id: 'evil', secret: fleet.secret });
    const target = { bucket: 'gap', key: 'k' };
    // Sequence numbers from 2 on: none of them can ever be delivered.
    for (let start = 2; start < 100_002 && !evil.isClosed; start += 10_000) {
      evil.sendTxns(Array.from({ length: 10_000 }, (_, i) => transaction('gapped', start + i, [effect.counterPn(target, 1)])));
      await evil.drained();
    }
    let waiting = -1;
    for (let polls = 0; polls < 60; polls++) {
      const now = (await fleet.status(a)).waiting;
      if (now === waiting && (now > 0 || evil.isClosed)) break;
      waiting = now;
      await sleep(500);
    }
    assert.ok(waiting <= 10_000, `${waiting} gapped transactions are held in memory`);
    await answersReadWithin(fleet, a, [probe], 1000);
  });

  it('(b) snapshot parts that never end do not pile up in memory', async () => {
    const a = await fleet.serve({ id: 'floodA' });
    await answersReadWithin(fleet, a, [probe], 5000);
    const before = residentBytes(a.pid);
    const peak = sampleResidentPeak(a.pid);
    const evil = await EvilPeer.connect(a.url, { id: 'evil', secret: fleet.secret });
    const sent = await evil.floodSnapshotParts(200 * MiB);
    await sleep(1000);
    await answersReadWithin(fleet, a, [probe], 1000);
    const growth = peak.stop() - before;
    assert.ok(
      growth < 150 * MiB,
      `resident memory grew by ${Math.round(growth / MiB)} MiB while ${Math.round(sent / MiB)} MiB of snapshot parts arrived ` +
        `(link ${evil.isClosed ? 'closed' : 'still open'})`,
    );
  });

  it('(c) a message that brings 5,000 new clock entries is handled in seconds', async () => {
    const a = await fleet.serve({ id: 'wideA' });
    const evil = await EvilPeer.connect(a.url, { id: 'evil', secret: fleet.secret });
    const target = { bucket: 'wide', key: 'k' };
    evil.sendTxns(Array.from({ length: 5000 }, (_, i) => transaction(`origin${i}`, 1, [effect.counterPn(target, 1)])));
    await evil.drained();
    await answersReadWithin(fleet, a, [probe], 5000);
  });

  it('(d) fifty parked clock-waiting reads whose clients were killed leave the node prompt', async () => {
    const a = await fleet.serve({ id: 'parkA' });
    for (let i = 0; i < 50; i++) {
      const args = ['read', ...fleet.clientArgs(a), '--clock', '{"nobody":1}', '--timeout', '60000', probe.type, probe.bucket, probe.key];
      readers.push(spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' }));
    }
    await waitUntil(() => establishedConnections(a.port) >= 50, {
      timeoutMs: 60_000,
      describe: () => `${establishedConnections(a.port)} readers connected`,
    });
    // Parked: each has sent its read, which waits for a clock no one will reach.
    await sleep(1000);
    for (const reader of readers) reader.kill('SIGKILL');
    await waitUntil(() => establishedConnections(a.port) === 0, { timeoutMs: 10_000 });
    await answersReadWithin(fleet, a, [probe], 1000);
  });
});
