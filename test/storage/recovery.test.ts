import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Replica } from '../../src/core/replica';
import { Effect, Transaction, sequenceOf } from '../../src/core/transaction';
import { entry } from '../../src/core/vectorClock';
import { openStorage } from '../../src/storage';
import { FORMAT_VERSION, segmentFile } from '../../src/storage/format';
import { encodeJsonFrame, readFrame, sealFrame } from '../../src/storage/frames';
import { RecordCoder } from '../../src/storage/records';
import { recover } from '../../src/storage/recovery';
import { scanSegment } from '../../src/storage/segments';
import { ReferenceReplica, stateText, updateFor } from './fixtures/workload';
import { applyUpdates, copyDir, removeTempDirs, runUpdates, tempDir } from './helpers';

const FIRST_SEGMENT = 'log-000001.wal';

/** Expected states of replica "alpha" after n workload updates, computed once per n. */
async function expectedStates(...counts: number[]): Promise<Map<number, string>> {
  const reference = new ReferenceReplica('alpha');
  const out = new Map<number, string>();
  for (const n of [...counts].sort((a, b) => a - b)) out.set(n, await reference.stateAfter(n));
  return out;
}

/** A coder for segment `number` of `dir` in the state its reader is in at `offset` (every frame before it read). */
function coderAt(dir: string, number: number, offset: number): RecordCoder {
  const data = readFileSync(join(dir, segmentFile(number)));
  const header = readFrame(data, 0);
  if (header.kind !== 'frame') throw new Error('no segment header');
  const { start, at } = JSON.parse(header.payload.toString('utf8')) as { start: Record<string, number>; at: number };
  const coder = new RecordCoder(start, at);
  for (let frame = readFrame(data, header.next); frame.kind === 'frame' && frame.next <= offset; frame = readFrame(data, frame.next)) {
    coder.decode(frame.payload);
  }
  return coder;
}

/**
 * The frames `coder` makes for `txn` (definitions first, if it names anything new), the record's
 * payload changed by `spoil` and its checksum made right again.
 */
function spoiledFrames(coder: RecordCoder, txn: Transaction, spoil: (payload: Buffer) => void): { bytes: Buffer; recordAt: number } {
  const bytes = coder.encode(txn);
  let recordAt = 0;
  for (let frame = readFrame(bytes, 0); frame.kind === 'frame'; frame = readFrame(bytes, frame.next)) {
    if (frame.next === bytes.length) spoil(frame.payload);
    else recordAt = frame.next;
  }
  sealFrame(bytes.subarray(recordAt));
  return { bytes, recordAt };
}

/** A flag_ew effect's last two bytes are its enable marker (0 or 1) and the tag's index. */
const spoilEnableMarker = (payload: Buffer): void => {
  payload[payload.length - 2] = 2;
};

function flipByte(path: string, offset: number): void {
  const data = readFileSync(path);
  data[offset] ^= 0xff;
  writeFileSync(path, data);
}

describe('storage: recovery', function () {
  this.timeout(60_000);
  afterEach(removeTempDirs);

  it('recovers from a log cut at every byte offset of its last record, and reports the cut', async () => {
    const base = tempDir();
    await runUpdates(base, 1, 5);
    const expected = await expectedStates(4, 5);
    const last = scanSegment(base, 1).records[4].offset;
    const size = statSync(join(base, FIRST_SEGMENT)).size;
    assert.ok(size - last > 12, 'the last record is implausibly short');
    for (let offset = last; offset < size; offset++) {
      const dir = copyDir(base);
      truncateSync(join(dir, FIRST_SEGMENT), offset);
      const reports: string[] = [];
      const { storage, replica } = await openStorage(dir, { report: (m) => reports.push(m) });
      assert.equal(stateText(replica), expected.get(4), `cut at ${offset}`);
      if (offset === last) {
        assert.deepEqual(storage.recovery.cut, []);
      } else {
        const cuts = storage.recovery.cut.map((c) => [c.file, c.offset]);
        assert.deepEqual(cuts, [[FIRST_SEGMENT, last]], `cut at ${offset}`);
        assert.match(storage.recovery.cut[0].reason, /incomplete record/);
        assert.match(reports.join('\n'), new RegExp(`${FIRST_SEGMENT} cut at offset ${last}`));
        assert.equal(readFileSync(join(dir, 'damaged', `${FIRST_SEGMENT}@${last}`)).length, offset - last);
      }
      // The log goes on from the cut, and the cut is not reported again.
      await replica.update(updateFor(5));
      await storage.close();
      const again = await openStorage(dir);
      assert.equal(stateText(again.replica), expected.get(5), `after the cut at ${offset}`);
      assert.deepEqual(again.storage.recovery.cut, []);
      await again.storage.close();
    }
  });

  it('stops at the last good record when any byte of a middle record is flipped', async () => {
    const base = tempDir();
    await runUpdates(base, 1, 10);
    const expected = await expectedStates(4);
    const records = scanSegment(base, 1).records;
    const size = statSync(join(base, FIRST_SEGMENT)).size;
    const [start, end] = [records[4].offset, records[4].next];
    assert.ok(end - start > 12, 'the record is implausibly short');
    for (let offset = start; offset < end; offset++) {
      const dir = copyDir(base);
      flipByte(join(dir, FIRST_SEGMENT), offset);
      const reports: string[] = [];
      const { storage, replica } = await openStorage(dir, { report: (m) => reports.push(m) });
      assert.equal(stateText(replica), expected.get(4), `byte ${offset} flipped`);
      assert.deepEqual(
        storage.recovery.cut.map((c) => [c.file, c.offset]),
        [[FIRST_SEGMENT, start]],
      );
      assert.match(storage.recovery.cut[0].reason, /checksum mismatch|incomplete record/);
      assert.equal(reports.length, 1);
      assert.equal(readFileSync(join(dir, 'damaged', `${FIRST_SEGMENT}@${start}`)).length, size - start);
      await storage.close();
    }
  });

  it('never applies a record whose checksum is right but whose content is not a valid transaction', async () => {
    const dir = tempDir();
    await runUpdates(dir, 1, 3);
    const path = join(dir, FIRST_SEGMENT);
    const size = statSync(path).size;
    const effect: Effect = { bucket: 'b', key: 'k', type: 'flag_ew', effect: { rm: [], enable: 'alpha:4:0' } };
    const bogus = { origin: 'alpha', clock: { alpha: 4 }, at: 0, effects: [effect] };
    const { bytes, recordAt } = spoiledFrames(coderAt(dir, 1, size), bogus, spoilEnableMarker);
    appendFileSync(path, bytes);
    const { storage, replica } = await openStorage(dir);
    assert.equal(replica.value({ type: 'flag_ew', bucket: 'b', key: 'k' }), false);
    assert.deepEqual(storage.recovery.cut, []);
    assert.deepEqual(
      storage.recovery.setAside.map((s) => s.offset),
      [size + recordAt],
    );
    assert.match(storage.recovery.setAside[0].reason, /not a valid transaction/);
    // Its sequence number is used up: peers may have seen it, so it is never issued again.
    assert.deepEqual(await replica.update(updateFor(4)), { alpha: 5 });
    await storage.close();
  });

  it('sets aside a sound record whose content cannot be applied, and replays every record after it', async () => {
    const base = tempDir();
    await runUpdates(base, 1, 6);
    const { records } = scanSegment(base, 1);
    const poison = records[3];
    // What the replica holds when only the poison's effects are missing.
    const expected = new Replica('alpha', { now: () => 0 });
    for (const [i, { txn }] of records.entries()) assert.ok(expected.replay(i === 3 ? { ...txn, effects: [] } : txn));

    // One level deeper than any element may nest.
    let deep: unknown = 'deep';
    for (let i = 0; i <= 64; i++) deep = [deep];
    // Each made by a coder at the poison's place, naming only objects defined before it.
    const coder = (): RecordCoder => coderAt(base, 1, poison.offset);
    const recordOf = (txn: Transaction, spoil: (payload: Buffer) => void = () => undefined): Buffer => {
      const { bytes, recordAt } = spoiledFrames(coder(), txn, spoil);
      assert.equal(recordAt, 0, 'the replacement must not define names');
      return bytes;
    };
    const variants: Record<string, Buffer> = {
      'a time that is not a number': recordOf(poison.txn, (payload) => {
        // The low two bits of the head byte say how the time is written; 3 is no way.
        payload[0] |= 3;
      }),
      'a set element nested too deep to apply': recordOf({
        ...poison.txn,
        effects: [{ bucket: 's', key: 'k1', type: 'set_aw', effect: { tag: 'alpha:4:0', add: [deep], rm: [] } as never }],
      }),
      'an effect its type refuses': recordOf(
        { ...poison.txn, effects: [{ bucket: 'f', key: 'k3', type: 'flag_ew', effect: { rm: [], enable: 'alpha:4:0' } }] },
        spoilEnableMarker,
      ),
    };
    for (const [what, frame] of Object.entries(variants)) {
      const dir = copyDir(base);
      const path = join(dir, FIRST_SEGMENT);
      const data = readFileSync(path);
      writeFileSync(path, Buffer.concat([data.subarray(0, poison.offset), frame, data.subarray(poison.next)]));

      const reports: string[] = [];
      const { storage, replica } = await openStorage(dir, { report: (m) => reports.push(m) });
      assert.equal(stateText(replica), stateText(expected), what);
      assert.deepEqual(storage.recovery.cut, [], what);
      assert.equal(storage.recovery.replayed, 5, what);
      assert.deepEqual(
        storage.recovery.setAside.map((r) => [r.file, r.offset]),
        [[FIRST_SEGMENT, poison.offset]],
        what,
      );
      const copy = join(dir, 'damaged', `${FIRST_SEGMENT}@${poison.offset}`);
      assert.equal(storage.recovery.setAside[0].copy, copy, what);
      assert.ok(readFileSync(copy).equals(frame), `${what}: damaged/ does not hold the record`);
      assert.match(reports.join('\n'), new RegExp(`${FIRST_SEGMENT}@${poison.offset} cannot be applied .*recovery goes on`), what);
      assert.deepEqual(await replica.update(updateFor(7)), { alpha: 7 }, `${what}: a sequence number was issued twice`);
      await storage.close();

      // A snapshot taken after the recovery covers the record: the next start does not meet it again.
      const again = await openStorage(dir);
      assert.deepEqual(again.storage.recovery.setAside, [], what);
      assert.equal(entry(again.replica.clock, 'alpha'), 7, what);
      await again.storage.close();
    }
  });

  it('sets aside a transaction whose replay throws, and still starts', async () => {
    const dir = tempDir();
    await runUpdates(dir, 1, 6);
    const poison = scanSegment(dir, 1).records[3];
    /** A replica whose apply fails on one transaction, as a stack overflow in a type would. */
    class Brittle extends Replica {
      override replay(txn: Transaction): boolean {
        if (sequenceOf(txn) === 4 && txn.effects.length > 0) throw new RangeError('Maximum call stack size exceeded');
        return super.replay(txn);
      }
    }
    const replica = new Brittle('alpha', { now: () => 0 });
    const reports: string[] = [];
    const { report } = recover(dir, replica, (m) => reports.push(m));
    assert.equal(entry(replica.clock, 'alpha'), 6);
    assert.equal(report.replayed, 5);
    assert.deepEqual(report.cut, []);
    assert.deepEqual(
      report.setAside.map((r) => [r.offset, r.reason]),
      [[poison.offset, 'applying it failed: Maximum call stack size exceeded']],
    );
    assert.ok(readFileSync(report.setAside[0].copy).equals(readFileSync(join(dir, FIRST_SEGMENT)).subarray(poison.offset, poison.next)));
    assert.equal(reports.length, 1);
  });

  it('falls back to the previous snapshot when the newest one is corrupt', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', replica: { now: () => 0 } });
    await applyUpdates(replica, 1, 30);
    await storage.writeSnapshot();
    await applyUpdates(replica, 31, 60);
    await storage.writeSnapshot();
    await applyUpdates(replica, 61, 70);
    await storage.close();
    const newest = readdirSync(dir)
      .filter((f) => f.startsWith('snap-'))
      .sort()
      .at(-1) as string;
    flipByte(join(dir, newest), statSync(join(dir, newest)).size - 3);

    const reports: string[] = [];
    const reopened = await openStorage(dir, { report: (m) => reports.push(m) });
    assert.equal(stateText(reopened.replica), (await expectedStates(70)).get(70));
    assert.deepEqual(reopened.storage.recovery.snapshotClock, { alpha: 30 });
    assert.equal(reopened.storage.recovery.replayed, 40);
    assert.deepEqual(
      reopened.storage.recovery.badSnapshots.map((s) => s.file),
      [newest],
    );
    assert.match(reports.join('\n'), /unreadable .*falling back to the previous one/);
    assert.ok(existsSync(join(dir, 'damaged', newest)));
    await reopened.storage.close();
  });

  it('recovers after a crash between writing a snapshot and deleting what it made obsolete', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never', replica: { now: () => 0 } });
    for (const [from, to] of [
      [1, 40],
      [41, 80],
      [81, 120],
    ]) {
      await applyUpdates(replica, from, to);
      await storage.writeSnapshot();
    }
    const before = readdirSync(dir).filter((f) => /^(log|snap)-/.test(f));
    const saved = new Map(before.map((f) => [f, readFileSync(join(dir, f))]));
    await applyUpdates(replica, 121, 130);
    await storage.writeSnapshot();
    await storage.close();
    const deleted = before.filter((f) => !existsSync(join(dir, f)));
    const kinds = new Set(deleted.map((f) => f.slice(0, 4)));
    assert.deepEqual([...kinds].sort(), ['log-', 'snap'], 'compaction should delete old segments and snapshots');
    // As the directory would be had the process died right after the rename: old files still there,
    // and an interrupted write of a later snapshot.
    for (const f of deleted) writeFileSync(join(dir, f), saved.get(f) as Buffer);
    writeFileSync(join(dir, 'snap-000099.snap.tmp'), 'half a snapshot');

    const reopened = await openStorage(dir);
    assert.equal(stateText(reopened.replica), (await expectedStates(130)).get(130));
    assert.deepEqual(reopened.storage.recovery.snapshotClock, { alpha: 130 });
    assert.equal(reopened.storage.recovery.replayed, 0);
    assert.deepEqual(reopened.storage.recovery.cut, []);
    assert.ok(!existsSync(join(dir, 'snap-000099.snap.tmp')));
    await reopened.storage.writeSnapshot();
    for (const f of deleted) assert.ok(!existsSync(join(dir, f)), `${f} was not compacted on the next snapshot`);
    await reopened.storage.close();
  });

  it('drops a log segment whose header a crash left unwritten, and goes on writing', async () => {
    const dir = tempDir();
    await runUpdates(dir, 1, 5);
    writeFileSync(join(dir, 'log-000002.wal'), '');
    const { storage, replica } = await openStorage(dir);
    assert.deepEqual(storage.recovery.cut, [{ file: 'log-000002.wal', offset: 0, reason: 'no header' }]);
    await replica.update(updateFor(6));
    await storage.close();
    const again = await openStorage(dir);
    assert.equal(stateText(again.replica), (await expectedStates(6)).get(6));
    await again.storage.close();
  });

  it('refuses files written by a newer storage format instead of cutting them', async () => {
    const dir = tempDir();
    await runUpdates(dir, 1, 2);
    const newer = FORMAT_VERSION + 1;
    writeFileSync(join(dir, 'log-000002.wal'), encodeJsonFrame({ format: 'minidote-log', version: newer, segment: 2 }));
    await assert.rejects(openStorage(dir), (error: Error) => {
      assert.equal((error as { kind?: string }).kind, 'storage');
      assert.match(error.message, new RegExp(`log-000002\\.wal was written by a newer Minidote \\(storage format ${newer}`));
      return true;
    });
    assert.ok(existsSync(join(dir, 'log-000002.wal')));
    assert.ok(!existsSync(join(dir, 'lock')), 'a failed open must release the lock');
  });

  it('refuses to start from an incomplete log when no snapshot is readable', async () => {
    const dir = tempDir();
    const { storage, replica } = await openStorage(dir, { id: 'alpha', fsync: 'never' });
    for (const to of [10, 20, 30]) {
      await applyUpdates(replica, to - 9, to);
      await storage.writeSnapshot();
    }
    await storage.close();
    assert.ok(!existsSync(join(dir, FIRST_SEGMENT)), 'compaction should have removed the first segment');
    for (const f of readdirSync(dir).filter((name) => name.startsWith('snap-'))) flipByte(join(dir, f), 20);
    await assert.rejects(openStorage(dir), /no readable snapshot, and the log starts at log-\d+\.wal/);
  });
});
