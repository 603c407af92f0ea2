import { unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { InvalidInputError, MinidoteError, errorMessage } from '../core/errors';
import { Journal, Replica, ReplicaOptions, ReplicaSnapshot } from '../core/replica';
import { Transaction } from '../core/transaction';
import { VectorClock, leq, normalize } from '../core/vectorClock';
import { diskError, directoryBytes, fsyncDirectory } from './files';
import { DEFAULT_FSYNC, FsyncPolicy, checkFsyncPolicy } from './fsyncPolicy';
import { resolveReplicaId } from './identity';
import { DirectoryLock, acquireLock } from './lock';
import { LogCost, TransactionLog } from './log';
import { RecoveryReport, recover } from './recovery';
import { SnapshotInfo, writeSnapshotFile, writeSnapshotFileSync } from './snapshots';

export const DEFAULT_SNAPSHOT_EVERY = 10_000;

export interface OpenOptions {
  /** Replica id; if the directory already belongs to another id, opening fails naming both. */
  id?: string;
  fsync?: FsyncPolicy;
  /** Write a snapshot (and compact the log) after this many log records. */
  snapshotEvery?: number;
  /** Recovery findings (cut records, snapshot fallbacks) and background failures, one line each. */
  report?: (message: string) => void;
  replica?: Omit<ReplicaOptions, 'journal'>;
}

export interface StorageStats {
  /** Records in the log segments on disk. */
  logRecords: number;
  logBytes: number;
  snapshotBytes: number;
  /** When the newest snapshot was written (ms since the epoch); null if there is none. */
  snapshotAt: number | null;
  /** Everything in the data directory, including bytes recovery set aside in `damaged/`. */
  diskBytes: number;
  /** fsync calls made on log segments since open: with group commit, far fewer than updates. */
  fsyncs: number;
}

/**
 * Opens (creating if needed) a replica's data directory: takes its lock, reads or creates its id,
 * recovers its state, and returns the replica wired to log every transaction it delivers.
 */
export async function openStorage(dir: string, options: OpenOptions = {}): Promise<{ storage: Storage; replica: Replica }> {
  const fsync = checkFsyncPolicy(options.fsync ?? DEFAULT_FSYNC);
  const snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 1) {
    throw new InvalidInputError(`snapshotEvery must be a positive integer, got ${snapshotEvery}`);
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw diskError(`could not create the data directory ${dir}`, error);
  }
  const report = options.report ?? (() => undefined);
  const lock = acquireLock(dir, { report });
  try {
    const id = await resolveReplicaId(dir, options.id);
    const settings = { fsync, snapshotEvery, report };
    const storage = new Storage(dir, id, lock, settings, (journal) => new Replica(id, { ...options.replica, journal }));
    return { storage, replica: storage.replica };
  } catch (error) {
    lock.release();
    throw error;
  }
}

interface StorageSettings {
  readonly fsync: FsyncPolicy;
  readonly snapshotEvery: number;
  readonly report: (message: string) => void;
}

/**
 * A replica's durable storage: the transaction log, snapshots, compaction, and the directory lock.
 * Created by `openStorage`.
 */
export class Storage {
  readonly journal: Journal;
  readonly replica: Replica;
  readonly recovery: RecoveryReport;
  private readonly log: TransactionLog;
  /** Newest first. The second one is kept as the fallback should the newest become unreadable. */
  private snapshots: SnapshotInfo[];
  private retention: VectorClock | undefined;
  private sinceSnapshot = 0;
  private autoSnapshotPending = false;
  private snapshotQueue: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /**
   * Bytes in the directory besides the log segments and snapshots (replica.json, the lock,
   * damaged/), counted once at open: only recovery adds to them. The rest is kept as the log and
   * snapshots change, so `stats`, called on every status, never walks the directory.
   */
  private readonly otherBytes: number;

  constructor(
    readonly dir: string,
    readonly id: string,
    private readonly lock: DirectoryLock,
    private readonly settings: StorageSettings,
    createReplica: (journal: Journal) => Replica,
  ) {
    this.journal = { append: (txn) => this.append(txn), durable: () => this.log.durable() };
    this.replica = createReplica(this.journal);
    const recovered = recover(dir, this.replica, settings.report);
    this.recovery = recovered.report;
    this.snapshots = recovered.snapshots;
    const { segments, firstLive } = recovered;
    this.log = new TransactionLog(dir, segments, firstLive, this.replica.clock, settings.fsync, settings.report);
    this.otherBytes = directoryBytes(dir) - this.logBytes() - this.snapshotBytes();
    lock.onLost((error) => {
      this.log.fail(error);
      settings.report(error.message);
    });
    // A long recovery holds up the heartbeat: make sure no other process took over meanwhile.
    this.ensureLocked();
    // Records set aside stay in the log until a snapshot covers them: take one now, so that the
    // next start does not meet them again.
    if (this.recovery.setAside.length > 0) this.scheduleSnapshot();
  }

  /**
   * Every logged transaction that `clock` does not cover, in log order (a causal order); undefined
   * when compaction or a snapshot install means the log lacks some (send a snapshot instead).
   */
  transactionsSince(clock: VectorClock): Transaction[] | undefined {
    return this.log.readSince(clock);
  }

  /**
   * What `transactionsSince(clock)` would return, in records and bytes, without reading the log:
   * enough to choose between those records and a snapshot. Undefined when compaction or a snapshot
   * install means the log lacks some (reading may still find a damaged record and return undefined).
   */
  transactionCostSince(clock: VectorClock): LogCost | undefined {
    return this.log.costSince(clock);
  }

  /**
   * Runs `work` with the log records of the transactions it delivers written together, with one
   * write when it returns or throws: for a whole message of transactions from a peer. Nothing leaves
   * the process during one synchronous run, so none of them can be acknowledged or sent on before
   * that write, which `durable` also makes first. A record of the batch reaches the OS after its
   * transaction is applied, though: should the write fail, the log becomes read-only (as after a
   * failed fsync) and the error is thrown; those transactions are the peers' to send again after a
   * restart. Called again from inside `work`, it just runs it.
   */
  appendTogether<T>(work: () => T): T {
    if (this.log.isGathering) return work();
    this.log.gather();
    try {
      return work();
    } finally {
      this.log.writeGathered();
    }
  }

  /**
   * The lowest clock a known peer may still need to be sent from the log; compaction keeps the
   * records it does not cover. Undefined: no peer to wait for.
   */
  setRetention(clock: VectorClock | undefined): void {
    this.retention = clock;
    if (!this.closing) this.compact();
  }

  /**
   * Makes `state` the replica's durable starting point before anything depends on it: writes it
   * as the newest snapshot (temp file, fsync, rename, fsync of the directory) and continues the log
   * in a new segment that starts at its clock. Returns once both are on disk; the caller then calls
   * `replica.importState(state)` in the same synchronous run, so every transaction the replica
   * delivers from then on is logged after the snapshot. The previous snapshot stays as the fallback.
   *
   * `state` must contain everything the replica has delivered (its clock covers the replica's: a
   * join of the local state with what a peer sent), or recovery would lose the difference. Throws,
   * leaving the directory and the log as they were: InvalidInputError for a state that does not
   * cover the replica's clock or does not decode, MinidoteError('storage') when a write fails.
   */
  installSnapshot(state: ReplicaSnapshot): void {
    if (this.closing) throw new MinidoteError('storage', `storage for ${this.dir} is closed`);
    if (!leq(this.replica.clock, state.clock)) {
      throw new InvalidInputError(
        `cannot install a snapshot at clock ${JSON.stringify(normalize(state.clock))}: it lacks transactions the ` +
          `replica delivered (it is at ${JSON.stringify(normalize(this.replica.clock))}); join it with the local state first`,
      );
    }
    // Recovery must be able to load what is written here: decode it all before writing anything.
    new Replica(this.id).importState(state);
    this.ensureLocked();
    this.log.checkWritable();
    const info = writeSnapshotFileSync(this.dir, this.log.nextSegment, state);
    try {
      this.log.rotate(state.clock, true);
    } catch (error) {
      this.withdrawSnapshot(info, error);
      throw error;
    }
    this.sinceSnapshot = 0;
    this.addSnapshot(info);
  }

  /**
   * Writes a snapshot of the replica's current state atomically, then compacts the log. The log
   * continues in a new segment from the moment the state is read, so nothing falls between them.
   */
  writeSnapshot(): Promise<void> {
    if (this.closing) return Promise.reject(new MinidoteError('storage', `storage for ${this.dir} is closed`));
    const run = this.snapshotQueue.then(() => this.snapshotNow());
    this.snapshotQueue = run.catch(() => undefined);
    return run;
  }

  stats(): StorageStats {
    const logBytes = this.logBytes();
    const snapshotBytes = this.snapshotBytes();
    return {
      logRecords: this.log.segments.reduce((sum, s) => sum + s.records, 0),
      logBytes,
      snapshotBytes,
      snapshotAt: this.snapshots[0]?.at ?? null,
      diskBytes: this.otherBytes + logBytes + snapshotBytes,
      fsyncs: this.log.fsyncs,
    };
  }

  private logBytes(): number {
    return this.log.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  private snapshotBytes(): number {
    return this.snapshots.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Waits for a snapshot in progress, flushes and fsyncs the log, releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    try {
      await this.snapshotQueue;
      await this.log.close();
    } finally {
      this.lock.release();
    }
  }

  private append(txn: Transaction): void {
    this.ensureLocked();
    this.log.append(txn);
    if (++this.sinceSnapshot >= this.settings.snapshotEvery) this.scheduleSnapshot();
  }

  /** A lost lock makes the log read-only: another process may be writing to the directory. */
  private ensureLocked(): void {
    try {
      this.lock.check();
    } catch (error) {
      if (!(error instanceof MinidoteError)) throw error;
      this.log.fail(error);
    }
  }

  /**
   * Runs once the current synchronous run ends: the replica applies a transaction right after
   * logging it, and the snapshot must contain it.
   */
  private scheduleSnapshot(): void {
    if (this.autoSnapshotPending) return;
    this.autoSnapshotPending = true;
    queueMicrotask(() => {
      if (this.closing) return;
      this.writeSnapshot()
        .catch((error: unknown) => this.settings.report(`automatic snapshot failed: ${errorMessage(error)}`))
        .finally(() => {
          this.autoSnapshotPending = false;
        });
    });
  }

  /**
   * Reads the state and starts the segment it precedes in one synchronous run, so no record can
   * fall between them; then writes the file in the background.
   */
  private async snapshotNow(): Promise<void> {
    const state = this.replica.exportState();
    const fromSegment = this.log.rotate(this.replica.clock, false);
    this.sinceSnapshot = 0;
    this.addSnapshot(await writeSnapshotFile(this.dir, fromSegment, state));
  }

  private addSnapshot(info: SnapshotInfo): void {
    const others = this.snapshots.filter((s) => s.number !== info.number);
    this.snapshots = [info, ...others].sort((a, b) => b.number - a.number);
    this.compact();
  }

  /**
   * Takes back the snapshot of an install that failed. Should that fail too, the log becomes
   * read-only: a restart would start from the snapshot and skip whatever the log got after it.
   */
  private withdrawSnapshot(info: SnapshotInfo, cause: unknown): void {
    try {
      unlinkSync(info.path);
      fsyncDirectory(this.dir);
    } catch (error) {
      this.log.fail(
        new MinidoteError(
          'storage',
          `a snapshot install failed (${errorMessage(cause)}) and its snapshot ${info.path} could not be removed ` +
            `(${errorMessage(error)})`,
        ),
      );
    }
  }

  /**
   * Keeps the two newest snapshots and the log since the older one (so either can be recovered
   * from), plus older records the retention clock does not cover; deletes the rest.
   */
  private compact(): void {
    const [newest, fallback, ...obsolete] = this.snapshots;
    try {
      for (const old of obsolete) unlinkSync(old.path);
      this.snapshots = [newest, fallback].filter((s): s is SnapshotInfo => s !== undefined);
      if (fallback) this.log.dropSegments(fallback.number, this.retention);
    } catch (error) {
      const why = errorMessage(error);
      this.settings.report(`compaction of ${this.dir} failed (retried after the next snapshot): ${why}`);
    }
  }
}
