import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MinidoteError, OutcomeUnknownError, errorMessage } from '../core/errors';
import { Transaction, sequenceOf } from '../core/transaction';
import { VectorClock, entry, leq, merge } from '../core/vectorClock';
import { diskError, fsyncDirectory } from './files';
import { FORMAT_VERSION, segmentFile } from './format';
import { FsyncPolicy } from './fsyncPolicy';
import { FRAME_HEAD } from './frames';
import { RecordCoder } from './records';
import { RecordVisitor, SegmentInfo, UnusableRecord, noteRecord, readSegment, segmentHeader } from './segments';

const fdatasyncAsync = promisify(fdatasync);

/** The buffer for gathered records: it grows for a large batch, and is kept up to GATHER_KEEP_BYTES. */
const GATHER_START_BYTES = 64 * 1024;
const GATHER_KEEP_BYTES = 1024 * 1024;

/** What sending a peer the log's records since some clock would take (see `costSince`). */
export interface LogCost {
  readonly records: number;
  readonly bytes: number;
}

/**
 * The write-ahead log: a chain of segment files, the last one open for appending. Appends are
 * synchronous writes (once `append` returns, the record survives the process being killed), or,
 * between `gather` and `writeGathered`, kept in memory and written together with one write;
 * `durable` adds the fsync the policy asks for, shared by every append made before it starts
 * (group commit).
 *
 * After a failed fsync the log is read-only until it is reopened: the kernel may have dropped the
 * pages it could not write and report the next fsync as a success, so nothing written from then on
 * could honestly be called durable. Records appended before the failure were applied already, so
 * waiting for their durability ends in an OutcomeUnknownError, not in "failed".
 */
export class TransactionLog {
  private readonly list: SegmentInfo[];
  private fd: number;
  private appended = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private syncCount = 0;
  /** Why the log stopped accepting records (a failed fsync, a lost lock); undefined while healthy. */
  private failure: MinidoteError | undefined;
  /** Between `gather` and `writeGathered`: appends go to `gathered` instead of the file. */
  private gathering = false;
  /** Records appended while gathering and not written yet; made on the first `gather`, then reused. */
  private gathered: GatheredRecords | undefined;

  /**
   * Continues the last of `segments` if its number is at least `firstWritable` (recovery replays
   * from there) and it is of the current format, otherwise starts segment `firstWritable` or the
   * next free number.
   */
  constructor(
    private readonly dir: string,
    segments: readonly SegmentInfo[],
    firstWritable: number,
    clock: VectorClock,
    private readonly policy: FsyncPolicy,
    private readonly report: (message: string) => void,
  ) {
    this.list = [...segments];
    const last = this.list.at(-1);
    if (last && last.number >= firstWritable && last.coder) {
      this.fd = openOrFail(last.path);
    } else {
      const created = this.create(Math.max(firstWritable, (last?.number ?? 0) + 1), clock, false);
      this.list.push(created.info);
      this.fd = created.fd;
    }
    if (typeof policy === 'object') {
      this.timer = setInterval(() => this.backgroundSync(), policy.intervalMs);
      this.timer.unref();
    }
  }

  get segments(): readonly SegmentInfo[] {
    return this.list;
  }

  get fsyncs(): number {
    return this.syncCount;
  }

  private get active(): SegmentInfo {
    return this.list[this.list.length - 1];
  }

  /** The number `rotate` will give the next segment. */
  get nextSegment(): number {
    return this.active.number + 1;
  }

  /**
   * Writes one record to the OS, or throws a storage error and leaves the log as it was. A write
   * that fails and is taken back leaves the log usable (the disk may have room again later); one
   * that cannot be taken back makes it read-only.
   */
  append(txn: Transaction): void {
    this.checkWritable();
    const active = this.active;
    const coder = active.coder as RecordCoder;
    const frame = coder.encode(txn);
    if (this.gathering) {
      (this.gathered as GatheredRecords).add(frame, txn);
      return;
    }
    try {
      writeFully(this.fd, frame, active.bytes);
    } catch (error) {
      const action = `could not write to the transaction log ${active.path}, so the transaction was not applied`;
      const failed = diskError(action, error);
      coder.forgetLast();
      try {
        ftruncateSync(this.fd, active.bytes);
      } catch {
        this.fail(failed);
      }
      throw failed;
    }
    noteRecord(active, txn, frame.length);
    this.appended++;
  }

  get isGathering(): boolean {
    return this.gathering;
  }

  /** From now on `append` keeps records in memory, until `writeGathered` writes them with one write. */
  gather(): void {
    this.gathered ??= new GatheredRecords();
    this.gathering = true;
  }

  /**
   * Writes the records appended since `gather` with one write and goes back to writing each one at
   * once. Their transactions were applied already, so a write that fails cannot be taken back: the
   * log becomes read-only (as after a failed fsync) and the error is thrown.
   */
  writeGathered(): void {
    try {
      this.flushGathered();
    } finally {
      this.gathering = false;
    }
  }

  /** Throws the error `append` would throw now, if any. */
  checkWritable(): void {
    if (this.closed) {
      throw new MinidoteError('storage', `the transaction log in ${this.dir} is closed, so the transaction was not applied`);
    }
    if (this.failure) {
      throw new MinidoteError(
        'storage',
        `the transaction log in ${this.dir} is read-only after an earlier failure, so the transaction was not ` +
          `applied: restart Minidote (reopen the data directory) once the cause is fixed. The failure: ${this.failure.message}`,
      );
    }
  }

  /**
   * Resolves when every record appended so far is as durable as the policy promises; rejects with
   * an OutcomeUnknownError when the fsync fails, since those records were applied already.
   */
  durable(): Promise<void> {
    try {
      this.flushGathered();
    } catch (error) {
      return Promise.reject(outcomeUnknown(error));
    }
    if (this.policy !== 'always') return Promise.resolve();
    return this.syncThrough(this.appended).catch((error: unknown) => {
      throw outcomeUnknown(error);
    });
  }

  /**
   * Makes the log read-only until reopened; `why` is what `append` and `durable` will report.
   * Idempotent: the first failure is the one reported.
   */
  fail(why: MinidoteError): void {
    this.failure ??= why;
  }

  /** Continues the log in a new segment (at a snapshot boundary); returns its number. */
  rotate(clock: VectorClock, imported: boolean): number {
    this.flushGathered();
    this.checkWritable();
    const oldFd = this.fd;
    if (this.policy !== 'never') {
      try {
        fdatasyncSync(oldFd);
      } catch (error) {
        const failed = diskError(`could not fsync the transaction log ${this.active.path}`, error);
        this.fail(failed);
        throw failed;
      }
      this.syncCount++;
      this.synced = this.appended;
    }
    const created = this.create(this.active.number + 1, clock, imported);
    this.list.push(created.info);
    this.fd = created.fd;
    // An fsync running in the background still uses the old descriptor.
    const closeOld = (): void => closeSync(oldFd);
    if (this.syncing) void this.syncing.then(closeOld, closeOld);
    else closeOld();
    return created.info.number;
  }

  /** Deletes the oldest segments numbered below `before` whose records `retention` covers. */
  dropSegments(before: number, retention: VectorClock | undefined): void {
    let dropped = 0;
    while (this.list.length > 1) {
      const oldest = this.list[0];
      if (oldest.number >= before || (retention !== undefined && !leq(oldest.covers, retention))) break;
      try {
        unlinkSync(oldest.path);
      } catch (error) {
        throw diskError(`could not delete the compacted log segment ${oldest.path}`, error);
      }
      this.list.shift();
      dropped++;
    }
    if (dropped > 0) fsyncDirectory(this.dir);
  }

  /**
   * Every logged transaction that `clock` does not cover, in log order; undefined when the log no
   * longer holds all of them (compacted away, or brought in by a snapshot install).
   */
  readSince(clock: VectorClock): Transaction[] | undefined {
    this.flushGathered();
    if (!leq(this.completeAbove(), clock)) return undefined;
    const out: Transaction[] = [];
    for (const info of this.list) {
      if (leq(info.covers, clock)) continue;
      let needed: UnusableRecord | undefined;
      const visitor: RecordVisitor = {
        record: (txn) => {
          if (sequenceOf(txn) > entry(clock, txn.origin)) out.push(txn);
        },
        unusable: (u) => {
          if (!u.placeholder || sequenceOf(u.placeholder) > entry(clock, u.placeholder.origin)) needed ??= u;
        },
      };
      let read;
      try {
        read = readSegment(this.dir, info.number, visitor, info.bytes);
      } catch (error) {
        this.report(`could not read ${info.path}: ${errorMessage(error)}`);
        return undefined;
      }
      if (read.damage) {
        const { offset, reason } = read.damage;
        this.report(`${info.path} is damaged at offset ${offset} (${reason}); it cannot serve peers`);
        return undefined;
      }
      if (needed) {
        // Without it a peer could never deliver the origin's later records; a snapshot has them all.
        this.report(`${info.path} holds an unusable record at offset ${needed.offset}; a peer that lacks it gets a snapshot`);
        return undefined;
      }
    }
    return out;
  }

  /**
   * About how many records `readSince(clock)` would return and how many bytes they take without
   * their frames (at or somewhat above what they take on a link, which codes each clock and time
   * against the previous transaction where a record codes them against its segment's start),
   * from the segments' statistics alone; undefined when the log lacks some of them. Within a
   * segment each origin's records are consecutive from its start clock on (causal delivery), and
   * none reaches past the next segment's start clock, so the records above `clock` are counted
   * exactly (a segment kept only for peers knows its end from the next one); a segment's bytes are
   * shared evenly among its records.
   */
  costSince(clock: VectorClock): LogCost | undefined {
    this.flushGathered();
    if (!leq(this.completeAbove(), clock)) return undefined;
    let records = 0;
    let bytes = 0;
    for (const [i, info] of this.list.entries()) {
      if (info.records === 0 || leq(info.covers, clock)) continue;
      const next = this.list[i + 1]?.start;
      let above = 0;
      for (const origin of Object.keys(info.covers)) {
        const last = next ? Math.min(info.covers[origin], entry(next, origin)) : info.covers[origin];
        above += Math.max(0, last - Math.max(entry(info.start, origin), entry(clock, origin)));
      }
      const share = Math.min(above, info.records);
      records += share;
      bytes += ((info.bytes - FRAME_HEAD * info.records) * share) / info.records;
    }
    return { records, bytes: Math.round(bytes) };
  }

  /**
   * Flushes, fsyncs and closes the segment being written. After a failure there is nothing honest
   * left to fsync (that failure was reported to every writer it concerned): it only closes.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.writeGathered();
    } catch {
      // The log failed with it: the code below only closes, and whoever gathered was told.
    }
    this.closed = true;
    clearInterval(this.timer);
    await this.syncing?.catch(() => undefined);
    if (this.failure) {
      closeSync(this.fd);
      return;
    }
    try {
      fdatasyncSync(this.fd);
      this.syncCount++;
      this.synced = this.appended;
    } catch (error) {
      throw diskError(`could not fsync the transaction log ${this.active.path}`, error);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Writes what was gathered so far, if anything, and goes on gathering. */
  private flushGathered(): void {
    const gathered = this.gathered;
    if (!this.gathering || !gathered || gathered.count === 0) return;
    const { bytes, txns, sizes } = gathered.take();
    if (this.failure) throw this.failure;
    const active = this.active;
    try {
      writeFully(this.fd, bytes, active.bytes);
    } catch (error) {
      const failed = diskError(
        `could not write to the transaction log ${active.path} the records of ${txns.length} transactions received ` +
          'from peers, which were applied in memory (peers send them again after a restart)',
        error,
      );
      this.fail(failed);
      try {
        ftruncateSync(this.fd, active.bytes);
      } catch {
        // The log is read-only already; recovery cuts a torn record.
      }
      throw failed;
    }
    for (let i = 0; i < txns.length; i++) noteRecord(active, txns[i], sizes[i]);
    this.appended += txns.length;
  }

  /** The log holds every delivered transaction that this clock does not cover. */
  private completeAbove(): VectorClock {
    return this.list.reduce((base, info) => (info.imported ? merge(base, info.start) : base), this.list[0].start);
  }

  private async syncThrough(target: number): Promise<void> {
    while (this.synced < target) {
      if (this.failure) throw this.failure;
      this.syncing ??= this.nextSync();
      await this.syncing;
    }
  }

  /**
   * Waits one turn of the event loop before the fsync: writers whose previous update was just
   * acknowledged by the last fsync append again meanwhile and share this one, instead of the
   * writers splitting into two cohorts that alternate fsyncs.
   */
  private async nextSync(): Promise<void> {
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.syncOnce();
    } finally {
      this.syncing = undefined;
    }
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.appended;
    const { path } = this.active;
    try {
      await fdatasyncAsync(this.fd);
    } catch (error) {
      const failed = diskError(`could not fsync the transaction log ${path}`, error);
      this.fail(failed);
      throw failed;
    }
    this.syncCount++;
    this.synced = Math.max(this.synced, upTo);
  }

  private backgroundSync(): void {
    if (this.synced < this.appended && !this.syncing && !this.failure) {
      this.syncThrough(this.appended).catch((error: unknown) =>
        this.report(`${errorMessage(error)}; the log is read-only until Minidote is restarted`),
      );
    }
  }

  private create(number: number, clock: VectorClock, imported: boolean): { info: SegmentInfo; fd: number } {
    const path = join(this.dir, segmentFile(number));
    const at = Date.now();
    const header = segmentHeader(number, clock, imported, at);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx');
      writeFully(fd, header, 0);
      if (this.policy !== 'never') {
        fdatasyncSync(fd);
        fsyncDirectory(this.dir);
      }
    } catch (error) {
      if (fd !== undefined) {
        closeSync(fd);
        unlinkSync(path);
      }
      throw diskError(`could not start the log segment ${path}`, error);
    }
    const coder = new RecordCoder(clock, at);
    return {
      info: { number, path, start: clock, imported, version: FORMAT_VERSION, coder, records: 0, bytes: header.length, covers: {} },
      fd,
    };
  }
}

/** Records appended while gathering: their frames one after the other in one buffer. */
class GatheredRecords {
  private buffer = Buffer.allocUnsafe(GATHER_START_BYTES);
  private length = 0;
  private txns: Transaction[] = [];
  private sizes: number[] = [];

  get count(): number {
    return this.txns.length;
  }

  /** Copies `frame`: the coder reuses its memory for the next record. */
  add(frame: Buffer, txn: Transaction): void {
    if (this.length + frame.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + frame.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    frame.copy(this.buffer, this.length);
    this.length += frame.length;
    this.txns.push(txn);
    this.sizes.push(frame.length);
  }

  /** What was gathered, leaving this empty; the bytes stay valid until the next `add`. */
  take(): { bytes: Buffer; txns: Transaction[]; sizes: number[] } {
    const taken = { bytes: this.buffer.subarray(0, this.length), txns: this.txns, sizes: this.sizes };
    // One huge batch (a transaction of megabytes) does not keep its buffer for good.
    if (this.buffer.length > GATHER_KEEP_BYTES) this.buffer = Buffer.allocUnsafe(GATHER_START_BYTES);
    this.length = 0;
    this.txns = [];
    this.sizes = [];
    return taken;
  }
}

function outcomeUnknown(error: unknown): OutcomeUnknownError {
  return new OutcomeUnknownError(
    'the transaction was applied in memory and may already have been sent to peers, but it may not be on ' +
      `disk (${errorMessage(error)}). The transaction log is now read-only: restart Minidote (reopen the data ` +
      'directory), then read the value before retrying, or the change may be made twice',
  );
}

function writeFully(fd: number, data: Buffer, position: number): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, position + done);
}

function openOrFail(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    throw diskError(`could not open the log segment ${path} for writing`, error);
  }
}
