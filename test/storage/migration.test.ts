import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LinkDecoder, LinkEncoder } from '../../src/core/codec/linkCodec';
import { Replica } from '../../src/core/replica';
import { ObjectKey } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { FORMAT_VERSION, JSON_FORMAT_VERSION } from '../../src/storage/format';
import { readFrame } from '../../src/storage/frames';
import { copyDir, removeTempDirs } from './helpers';

/** Data directories written by the release before storage format 2 (fixtures/writeFormat1.ts). */
const FIXTURES = join(__dirname, 'fixtures', 'format1');

interface Expected {
  readonly clock: VectorClock;
  readonly values: readonly (ObjectKey & { readonly value: unknown })[];
}

const expected = JSON.parse(readFileSync(join(FIXTURES, 'withSnapshots.expected.json'), 'utf8')) as Expected;

function assertFixtureValues(replica: Replica, what: string): void {
  for (const { value, ...key } of expected.values)
    assert.deepEqual(replica.value(key), value, `${what}: ${key.type} ${key.bucket}/${key.key}`);
}

/** The format version in the header of a data file. */
function versionOf(dir: string, file: string): number {
  const header = readFrame(readFileSync(join(dir, file)), 0);
  if (header.kind !== 'frame') throw new Error(`${file} has no header`);
  return (JSON.parse(header.payload.toString('utf8')) as { version: number }).version;
}

const dataFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^(log|snap)-/.test(f))
    .sort();

describe('storage: data directories of format 1 (JSON records)', function () {
  this.timeout(60_000);
  afterEach(removeTempDirs);

  it('opens a directory with snapshots and logs of format 1, with every value as it was written', async () => {
    const dir = copyDir(join(FIXTURES, 'withSnapshots'));
    assert.ok(
      dataFiles(dir).every((f) => versionOf(dir, f) === JSON_FORMAT_VERSION),
      'the fixture is not of format 1',
    );
    const { storage, replica } = await openStorage(dir);
    assert.equal(replica.id, 'alpha');
    assert.deepEqual(replica.clock, expected.clock);
    assertFixtureValues(replica, 'after opening');
    assert.deepEqual(storage.recovery.cut, []);
    assert.deepEqual(storage.recovery.setAside, []);
    await storage.close();
  });

  it('falls back to the older snapshot of format 1 and replays the logs of format 1 after it', async () => {
    const dir = copyDir(join(FIXTURES, 'withSnapshots'));
    rmSync(join(dir, 'snap-000003.snap'));
    const { storage, replica } = await openStorage(dir);
    assert.deepEqual(replica.clock, expected.clock);
    assertFixtureValues(replica, 'from the older snapshot');
    assert.ok(storage.recovery.replayed > 0, 'nothing was replayed from the logs of format 1');
    await storage.close();
  });

  it('writes new records and snapshots in the current format, and reads both formats back', async () => {
    const dir = copyDir(join(FIXTURES, 'withSnapshots'));
    const first = await openStorage(dir);
    const counter = { bucket: 'b', key: 'hits', type: 'counter_pn' } as const;
    const before = first.replica.value(counter) as number;
    await first.replica.update([{ ...counter, op: 'increment', args: [5] }]);
    await first.storage.close();
    const written = dataFiles(dir).filter((f) => versionOf(dir, f) === FORMAT_VERSION);
    assert.deepEqual(written, ['log-000004.wal'], 'a segment of format 1 must not be continued in another format');

    const second = await openStorage(dir);
    assert.equal(second.replica.value(counter), before + 5);
    assert.equal(second.replica.clock.alpha, expected.clock.alpha + 1);
    // Two snapshots of the current format make every file of format 1 obsolete.
    await second.storage.writeSnapshot();
    await second.replica.update([{ ...counter, op: 'increment' }]);
    await second.storage.writeSnapshot();
    await second.storage.close();
    assert.ok(
      dataFiles(dir).every((f) => versionOf(dir, f) === FORMAT_VERSION),
      `format 1 files remain: ${dataFiles(dir).join(', ')}`,
    );

    const third = await openStorage(dir);
    assert.equal(third.replica.value(counter), before + 6);
    const others = expected.values.filter((v) => v.key !== 'hits');
    for (const { value, ...key } of others) assert.deepEqual(third.replica.value(key), value);
    await third.storage.close();
  });

  it('opens a log of format 1 with no snapshot, continues it in a new segment, and serves the whole history to a peer', async () => {
    const dir = copyDir(join(FIXTURES, 'logOnly'));
    const first = await openStorage(dir);
    assertFixtureValues(first.replica, 'the log of format 1');
    const flag = { bucket: 'flags', key: 'dark-mode', type: 'flag_ew' } as const;
    await first.replica.update([{ ...flag, op: 'disable' }]);
    await first.storage.close();

    const { storage, replica } = await openStorage(dir);
    assert.deepEqual(dataFiles(dir), ['log-000001.wal', 'log-000002.wal']);
    assert.deepEqual([versionOf(dir, 'log-000001.wal'), versionOf(dir, 'log-000002.wal')], [JSON_FORMAT_VERSION, FORMAT_VERSION]);
    assert.equal(replica.value(flag), false);
    // A peer that has nothing gets both segments' transactions over the binary link, and ends equal.
    const history = storage.transactionsSince({});
    assert.ok(history, 'the log should hold the whole history');
    const encoder = new LinkEncoder();
    const decoder = new LinkDecoder();
    const peer = new Replica('peer');
    for (const frame of encoder.transactions(history, 16 * 1024)) {
      const message = decoder.decode(frame);
      assert.equal(message.t, 'txns');
      if (message.t === 'txns') for (const txn of message.txns) assert.equal(peer.receive(txn), 'delivered');
    }
    assert.deepEqual(peer.clock, replica.clock);
    for (const key of replica.listObjects()) assert.deepEqual(peer.value(key), replica.value(key));
    await storage.close();
  });
});
