import { unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { InvalidInputError, MinidoteError, errorMessage } from '../core/errors';
import { Disposable } from '../core/emitter';
import { Journal, Replica, ReplicaChange, ReplicaOptions, ReplicaSnapshot } from '../core/replica';
import { Transaction } from '../core/transaction';
import { VectorClock, compare, normalize } from '../core/vectorClock';
import { diskError, directoryBytes } from './files';
import { DEFAULT_FSYNC, FsyncPolicy, checkFsyncPolicy } from './fsyncPolicy';
import { resolveReplicaId } from './identity';
import { DirectoryLock, acquireLock } from './lock';
import { TransactionLog } from './log';
import { RecoveryReport, recover } from './recovery';
import { SnapshotInfo, writeSnapshotFile } from './snapshots';

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
export async function openStorage(
  dir: string,
  options: OpenOptions = {},
): Promise<{ storage: Storage; replica: Replica }> {
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
  const lock = acquireLock(dir);
  try {
    const id = await resolveReplicaId(dir, options.id);
    const settings = { fsync, snapshotEvery, report: options.report ?? (() => undefined) };
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
  /** Where the log continued after the replica last installed a snapshot (importState). */
  private installed: { readonly clock: VectorClock; readonly segment: number } | undefined;
  private sinceSnapshot = 0;
  private autoSnapshotPending = false;
  private snapshotQueue: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly subscription: Disposable;

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
    this.subscription = this.replica.onChange((change) => this.onReplicaChange(change));
  }

  /**
   * Every logged transaction that `clock` does not cover, in log order (a causal order); undefined
   * when compaction or a snapshot install means the log lacks some (send a snapshot instead).
   */
  transactionsSince(clock: VectorClock): Transaction[] | undefined {
    return this.log.readSince(clock);
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
   * Writes a snapshot atomically, then compacts the log. Without an argument it snapshots the
   * replica's current state. To persist a snapshot installed from a peer, pass the state given to
   * `replica.importState`: the log continued in a new segment at that moment, so transactions the
   * replica delivered right after the install are replayed on top of it.
   */
  writeSnapshot(snapshot?: ReplicaSnapshot): Promise<void> {
    if (this.closing) return Promise.reject(new MinidoteError('storage', `storage for ${this.dir} is closed`));
    const run = this.snapshotQueue.then(() => this.snapshotNow(snapshot));
    this.snapshotQueue = run.catch(() => undefined);
    return run;
  }

  stats(): StorageStats {
    const segments = this.log.segments;
    return {
      logRecords: segments.reduce((sum, s) => sum + s.records, 0),
      logBytes: segments.reduce((sum, s) => sum + s.bytes, 0),
      snapshotBytes: this.snapshots.reduce((sum, s) => sum + s.bytes, 0),
      snapshotAt: this.snapshots[0]?.at ?? null,
      diskBytes: directoryBytes(this.dir),
      fsyncs: this.log.fsyncs,
    };
  }

  /** Waits for a snapshot in progress, flushes and fsyncs the log, releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.subscription.dispose();
    try {
      await this.snapshotQueue;
      await this.log.close();
    } finally {
      this.lock.release();
    }
  }

  private append(txn: Transaction): void {
    this.log.append(txn);
    if (++this.sinceSnapshot >= this.settings.snapshotEvery) this.scheduleSnapshot();
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

  private async snapshotNow(given: ReplicaSnapshot | undefined): Promise<void> {
    const plan = this.planSnapshot(given);
    if (!plan) return;
    const info = await writeSnapshotFile(this.dir, plan.fromSegment, plan.state);
    const others = this.snapshots.filter((s) => s.number !== info.number);
    this.snapshots = [info, ...others].sort((a, b) => b.number - a.number);
    this.compact();
  }

  /**
   * Decides, synchronously with reading the state, which log segment the snapshot precedes, so no
   * record can fall between the state and the segment. Null when a newer snapshot already covers it.
   */
  private planSnapshot(given: ReplicaSnapshot | undefined): { state: ReplicaSnapshot; fromSegment: number } | null {
    if (given && this.installed && sameClock(given.clock, this.installed.clock)) {
      const fromSegment = this.installed.segment;
      return (this.snapshots[0]?.number ?? 0) >= fromSegment ? null : { state: given, fromSegment };
    }
    if (given && !sameClock(given.clock, this.replica.clock)) {
      throw new InvalidInputError(
        `cannot write a snapshot at clock ${JSON.stringify(normalize(given.clock))}: the replica is at ` +
          `${JSON.stringify(normalize(this.replica.clock))}; install it with replica.importState first`,
      );
    }
    const state = given ?? this.replica.exportState();
    const fromSegment = this.log.rotate(this.replica.clock, false);
    this.sinceSnapshot = 0;
    return { state, fromSegment };
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

  private onReplicaChange(change: ReplicaChange): void {
    if (change.kind !== 'snapshot') return;
    try {
      this.installed = { clock: change.clock, segment: this.log.rotate(change.clock, true) };
    } catch (error) {
      this.installed = undefined;
      this.settings.report(`after a snapshot install, ${errorMessage(error)}`);
    }
  }
}

function sameClock(a: VectorClock, b: VectorClock): boolean {
  return compare(a, b) === 'equal';
}
