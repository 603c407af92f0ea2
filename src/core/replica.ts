import { wasCheckedByCodec } from './codec/checkedTransactions';
import { BufferLimits, CausalBuffer, WaitingTransaction, isCausallyReady, isDuplicate } from './causalBuffer';
import { crdtType, validateOperationShape } from './crdt/registry';
import { AnyCrdtType } from './crdt/crdtType';
import { Disposable, Emitter } from './emitter';
import { InvalidInputError, UnavailableError } from './errors';
import { Json, MAX_JSON_DEPTH, canonicalJson, jsonProblem, valueTextProblem } from './json';
import { MAX_EFFECTS_PER_TRANSACTION, MAX_NAME_LENGTH } from './schemas';
import { Effect, ObjectKey, Transaction, Update, objectId, sequenceOf } from './transaction';
import { RecentVersions, VersionConflict, sameContent } from './transactionVersions';
import { VectorClock, entry, increment, isReplicaId, leq, normalize } from './vectorClock';

/**
 * Where a replica records transactions before they change its state. `append` is synchronous and
 * throws if the record could not be written: then nothing changes in memory. A journal may also
 * gather records and write them together later (storage does, for the transactions of one peer
 * message): a failure then surfaces at that later write, after the replica applied them, and the
 * journal refuses everything from then on (nothing was acknowledged or sent on meanwhile, and
 * peers send those transactions again). `durable` resolves once what was appended is as durable as
 * the configured policy promises.
 */
export interface Journal {
  append(txn: Transaction): void;
  durable(): Promise<void>;
}

export interface StoredObject extends ObjectKey {
  readonly state: Json;
}

/** Full replica state, for snapshots and for bootstrapping another replica. */
export interface ReplicaSnapshot {
  readonly clock: VectorClock;
  readonly objects: readonly StoredObject[];
}

/** A delivered transaction, or a whole-state replacement (snapshot install during bootstrap). */
export type ReplicaChange =
  | { readonly kind: 'transaction'; readonly transaction: Transaction; readonly local: boolean }
  | { readonly kind: 'snapshot'; readonly clock: VectorClock };

export interface ReadResult {
  readonly values: Json[];
  readonly clock: VectorClock;
}

/**
 * dropped: refused by a buffer limit (anti-entropy sends it again later); conflict: another
 * version of this (origin, sequence) was delivered or is waiting, so this one is refused.
 */
export type ReceiveOutcome = 'delivered' | 'buffered' | 'duplicate' | 'dropped' | 'conflict';

export interface ReplicaOptions {
  readonly journal?: Journal;
  readonly now?: () => number;
  /** How long `read`/`update` wait for a session clock by default (ms). */
  readonly clockTimeoutMs?: number;
  readonly bufferLimits?: BufferLimits;
}

/**
 * The values of one update together: the transaction must fit in one replication message (4 MiB
 * by default) with room for its clock and framing, or no peer could ever receive it.
 */
export const MAX_UPDATE_BYTES = 2 * 1024 * 1024;

/** A clock wait longer than this is refused as bad input: nobody needs it, and it pins memory. */
export const MAX_CLOCK_WAIT_MS = 10 * 60_000;
/** Parked clock waits at once; beyond it a read or update fails at once as unavailable. */
export const MAX_CLOCK_WAITERS = 10_000;

export function validateReplicaId(id: string): string {
  if (!isReplicaId(id)) {
    throw new InvalidInputError(
      `replica id "${id}" is not valid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return id;
}

interface LiveObject {
  readonly key: ObjectKey;
  readonly type: AnyCrdtType;
  state: unknown;
}

interface ClockWaiter {
  readonly clock: VectorClock;
  readonly resolve: () => void;
}

const NO_ARGS: readonly Json[] = [];

const noJournal: Journal = { append: () => undefined, durable: () => Promise.resolve() };

/**
 * One replica of the store: local reads and atomic update batches, causal delivery of remote
 * transactions, and session clocks. Pure logic: persistence and networking plug in from outside.
 */
export class Replica {
  private readonly objects = new Map<string, LiveObject>();
  /** The object the latest operation touched (see `liveObject`); objects are only ever replaced all at once. */
  private lastTouched: LiveObject | undefined;
  private readonly buffer: CausalBuffer;
  private readonly versions = new RecentVersions();
  private readonly waiters = new Set<ClockWaiter>();
  private readonly changes = new Emitter<ReplicaChange>();
  private readonly journal: Journal;
  private readonly now: () => number;
  private readonly clockTimeoutMs: number;
  /**
   * The delivered clock, changed in place: a copy per delivery would cost O(replicas) each time,
   * quadratic for a message that introduces thousands of origins. `clock` hands out an immutable
   * copy, made at most once per change.
   */
  private live: Record<string, number> = {};
  private published: VectorClock | undefined = {};

  constructor(
    readonly id: string,
    options: ReplicaOptions = {},
  ) {
    validateReplicaId(id);
    this.journal = options.journal ?? noJournal;
    this.now = options.now ?? Date.now;
    this.clockTimeoutMs = options.clockTimeoutMs ?? 10_000;
    this.buffer = new CausalBuffer(options.bufferLimits);
  }

  get clock(): VectorClock {
    this.published ??= { ...this.live };
    return this.published;
  }

  onChange(listener: (change: ReplicaChange) => void): Disposable {
    return this.changes.on(listener);
  }

  async read(keys: readonly ObjectKey[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    for (const key of keys) crdtType(key.type);
    if (clock) await this.waitFor(clock, timeoutMs, signal);
    return { values: keys.map((k) => this.value(k)), clock: this.clock };
  }

  value(key: ObjectKey): Json {
    const type = crdtType(key.type);
    const live = this.objects.get(objectId(key));
    return type.value(live ? live.state : type.initial());
  }

  /**
   * Applies a batch atomically as one transaction and resolves with the commit clock once the
   * journal says it is durable. Any failing operation rejects the batch and changes nothing.
   */
  async update(updates: readonly Update[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<VectorClock> {
    this.checkUpdates(updates);
    if (clock) await this.waitFor(clock, timeoutMs, signal);
    const txn = this.prepare(updates);
    this.journal.append(txn);
    this.deliver(txn, true);
    await this.journal.durable();
    return txn.clock;
  }

  /**
   * Takes a transaction from another replica: delivers it (and whatever it unblocks) when causally
   * ready, holds it otherwise (within the buffer's limits), drops duplicates, and refuses a second
   * version of a known (origin, sequence). Malformed transactions throw before touching state.
   * `source` names the link it came from, so that `dropBufferedFrom` can forget its leftovers.
   * A transaction the binary codec read was checked as it was read, and is not checked again.
   */
  receive(txn: Transaction, source?: string): ReceiveOutcome {
    if (!wasCheckedByCodec(txn)) validateTransaction(txn);
    if (isDuplicate(txn, this.live)) {
      const earlier = this.versions.earlier(txn);
      return earlier && !sameContent(earlier, txn) ? this.conflict(txn, source) : 'duplicate';
    }
    if (!isCausallyReady(txn, this.live)) {
      const held = this.buffer.get(txn.origin, sequenceOf(txn));
      if (held) return sameContent(held, txn) ? 'duplicate' : this.conflict(txn, source);
      return this.buffer.hold(txn, this.live, source) === 'held' ? 'buffered' : 'dropped';
    }
    this.journal.append(txn);
    this.deliver(txn, false);
    this.deliverReady();
    return 'delivered';
  }

  /** Forgets the waiting transactions a link brought (the link closed; they come again on reconnect). */
  dropBufferedFrom(source: string): void {
    this.buffer.dropFrom(source);
  }

  /** True when a transaction of `origin` is waiting: someone has sent part of its later history. */
  holdsWaitingFrom(origin: string): boolean {
    return this.buffer.holdsFrom(origin);
  }

  /** Second versions of known transactions that were refused, most recent last (bounded). */
  conflicts(): readonly VersionConflict[] {
    return this.versions.conflicts();
  }

  /**
   * Resolves when this replica has delivered everything in `clock`; rejects after the timeout, or
   * at once when `signal` aborts (the client that asked is gone) or too many waits are parked.
   */
  waitFor(clock: VectorClock, timeoutMs = this.clockTimeoutMs, signal?: AbortSignal): Promise<void> {
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_CLOCK_WAIT_MS) {
      return Promise.reject(new InvalidInputError(`a clock wait must be 0-${MAX_CLOCK_WAIT_MS} ms, got ${timeoutMs}`));
    }
    if (leq(clock, this.live)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(new UnavailableError('the clock wait was cancelled'));
    if (this.waiters.size >= MAX_CLOCK_WAITERS) {
      return Promise.reject(
        new UnavailableError(`replica ${this.id} already has ${MAX_CLOCK_WAITERS} clock waits parked; try again later`),
      );
    }
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: ClockWaiter = {
        clock,
        resolve: () => {
          finish();
          resolve();
        },
      };
      const onAbort = () => {
        finish();
        reject(new UnavailableError('the clock wait was cancelled'));
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new UnavailableError(
            `timed out after ${timeoutMs} ms waiting for clock ${JSON.stringify(normalize(clock))}; ` +
              `replica ${this.id} is at ${JSON.stringify(normalize(this.live))}`,
          ),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Parked clock waits (status and tests: they must go when their clients go). */
  get waitingClocks(): number {
    return this.waiters.size;
  }

  listObjects(): ObjectKey[] {
    return [...this.objects.values()].map((o) => o.key);
  }

  /** The type's internal state (tags, per-replica counts), for the panel. */
  inspect(key: ObjectKey): Json {
    const type = crdtType(key.type);
    const live = this.objects.get(objectId(key));
    return type.encode(live ? live.state : type.initial());
  }

  waitingTransactions(): WaitingTransaction[] {
    return this.buffer.waiting(this.live);
  }

  exportState(): ReplicaSnapshot {
    return {
      clock: this.clock,
      objects: [...this.objects.values()].map(({ key, type, state }) => ({ ...key, state: type.encode(state) })),
    };
  }

  /** Replaces the whole state (recovery, bootstrap). Validates everything before changing anything. */
  importState(snapshot: ReplicaSnapshot): void {
    const decoded = snapshot.objects.map((o) => {
      const type = crdtType(o.type);
      const key: ObjectKey = { bucket: o.bucket, key: o.key, type: type.name };
      return { key, type, state: type.decode(o.state) };
    });
    this.objects.clear();
    this.lastTouched = undefined;
    for (const live of decoded) this.objects.set(objectId(live.key), live);
    this.live = { ...normalize(snapshot.clock) };
    this.published = undefined;
    this.buffer.dropCovered(this.live);
    this.changes.emit({ kind: 'snapshot', clock: this.clock });
    this.deliverReady();
    this.wakeWaiters();
  }

  /**
   * Redelivers a logged transaction during recovery: no journal write, no change event. Returns
   * false (and skips it) when it is a duplicate or not causally ready, which a log written in
   * delivery order only shows after a crash in the middle of installing a snapshot; peers resend it.
   * The caller has validated the transaction already (the log's record decoder does).
   */
  replay(txn: Transaction): boolean {
    if (!isCausallyReady(txn, this.live)) return false;
    this.applyEffects(txn);
    this.advance(txn);
    return true;
  }

  private checkUpdates(updates: readonly Update[]): void {
    if (updates.length === 0) throw new InvalidInputError('an update needs at least one operation');
    // Every peer and the log refuse a transaction beyond these limits: it must not be made here.
    if (updates.length > MAX_EFFECTS_PER_TRANSACTION) {
      throw new InvalidInputError(`an update may have at most ${MAX_EFFECTS_PER_TRANSACTION} operations, got ${updates.length}`);
    }
    let bytes = 0;
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i];
      try {
        bytes += this.checkUpdate(u);
        if (bytes > MAX_UPDATE_BYTES) {
          throw new InvalidInputError(`the update's values take more than ${MAX_UPDATE_BYTES} bytes; split it into several updates`);
        }
        // The values were checked by checkUpdate.
        validateOperationShape(crdtType(u.type), u.op, u.args ?? NO_ARGS);
      } catch (error) {
        if (updates.length > 1 && error instanceof InvalidInputError) {
          throw new InvalidInputError(`operation ${i + 1} (${u.type} ${u.op}): ${error.message}`);
        }
        throw error;
      }
    }
  }

  /**
   * Checks one operation's names and values; returns the length of its arguments as JSON text
   * (what MAX_UPDATE_BYTES bounds).
   */
  private checkUpdate(u: Update): number {
    if (typeof u.bucket !== 'string' || typeof u.key !== 'string') {
      throw new InvalidInputError('bucket and key must be strings');
    }
    if (u.bucket.length > MAX_NAME_LENGTH || u.key.length > MAX_NAME_LENGTH) {
      throw new InvalidInputError(`bucket and key may have at most ${MAX_NAME_LENGTH} characters`);
    }
    const args = u.args ?? NO_ARGS;
    // The arguments' JSON text: "[", then each one's text (as long as its canonical text) and "," or "]".
    let length = args.length > 0 ? 1 : 0;
    for (let n = 0; n < args.length; n++) {
      const arg = args[n];
      const problem = jsonProblem(arg, MAX_JSON_DEPTH);
      const text = problem === undefined ? canonicalJson(arg) : '';
      const tooLong = problem ?? valueTextProblem(text);
      if (tooLong !== undefined) throw new InvalidInputError(`argument ${n + 1} is not a usable value: ${tooLong}`);
      length += text.length + 1;
    }
    return length;
  }

  /** Runs every operation's `prepare` without changing live state; throws on the first refusal. */
  private prepare(updates: readonly Update[]): Transaction {
    const clock = increment(this.live, this.id);
    const seq = clock[this.id];
    const effects = new Array<Effect>(updates.length);
    if (updates.length === 1) {
      effects[0] = this.prepareEffect(updates[0], 0, seq, this.liveObject(updates[0])?.state);
      return { origin: this.id, clock, at: this.now(), effects };
    }
    const ids = updates.map(objectId);
    const touches = new Map<string, number>();
    for (const id of ids) touches.set(id, (touches.get(id) ?? 0) + 1);
    // Keys touched more than once see the batch's earlier effects, on a private copy.
    const staged = new Map<string, unknown>();
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i];
      const type = crdtType(u.type);
      const id = ids[i];
      const live = this.objects.get(id);
      const state = staged.has(id) ? staged.get(id) : live?.state;
      let effect: Effect;
      try {
        effect = this.prepareEffect(u, i, seq, state);
      } catch (error) {
        if (error instanceof Error) error.message = `operation ${i + 1} (${u.type} ${u.op} ${u.bucket}/${u.key}): ${error.message}`;
        throw error;
      }
      if ((touches.get(id) ?? 0) > 1) {
        const base = staged.has(id) ? staged.get(id) : live ? type.clone(live.state) : type.initial();
        staged.set(id, type.apply(base, effect.effect, this.id));
      }
      effects[i] = effect;
    }
    return { origin: this.id, clock, at: this.now(), effects };
  }

  /** One operation's effect on `state` (undefined: the object does not exist yet). */
  private prepareEffect(u: Update, index: number, seq: number, state: unknown): Effect {
    const type = crdtType(u.type);
    const effect = type.prepare(state === undefined ? type.initial() : state, u.op, u.args ?? NO_ARGS, {
      replica: this.id,
      tag: `${this.id}:${seq}:${index}`,
    });
    return { bucket: u.bucket, key: u.key, type: type.name, effect };
  }

  private conflict(txn: Transaction, source: string | undefined): ReceiveOutcome {
    this.versions.report(txn, source, this.now());
    return 'conflict';
  }

  private deliver(txn: Transaction, local: boolean): void {
    this.applyEffects(txn);
    this.versions.remember(txn);
    this.advance(txn);
    // A local transaction's clock is exactly ours plus its tick (prepared in this same synchronous
    // run), so it can be shared instead of copied.
    if (local) this.published = txn.clock;
    this.wakeWaiters();
    this.changes.emit({ kind: 'transaction', transaction: txn, local });
  }

  /** Delivering a causally ready transaction advances only its origin's entry. */
  private advance(txn: Transaction): void {
    this.live[txn.origin] = entry(txn.clock, txn.origin);
    this.published = undefined;
  }

  private applyEffects(txn: Transaction): void {
    for (const e of txn.effects) {
      let live = this.liveObject(e);
      if (!live) {
        const type = crdtType(e.type);
        live = { key: { bucket: e.bucket, key: e.key, type: type.name }, type, state: type.initial() };
        this.objects.set(objectId(e), live);
        this.lastTouched = live;
      }
      live.state = live.type.apply(live.state, e.effect, txn.origin);
    }
  }

  /**
   * The object named by `key`, if it exists. Successive operations mostly touch the object the
   * previous one touched: that one is compared by name before an id is built and looked up.
   */
  private liveObject(key: ObjectKey): LiveObject | undefined {
    const last = this.lastTouched;
    if (last && last.key.key === key.key && last.key.bucket === key.bucket && last.key.type === key.type) return last;
    const live = this.objects.get(objectId(key));
    if (live) this.lastTouched = live;
    return live;
  }

  private deliverReady(): void {
    for (let next = this.buffer.takeReady(this.live); next; next = this.buffer.takeReady(this.live)) {
      try {
        this.journal.append(next);
      } catch (error) {
        // Not logged means not delivered: keep it waiting rather than lose it.
        this.buffer.hold(next, this.live);
        throw error;
      }
      this.deliver(next, false);
    }
  }

  private wakeWaiters(): void {
    for (const waiter of this.waiters) {
      if (leq(waiter.clock, this.live)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

/** Checks a transaction from outside (wire, log) down to each effect's shape. */
export function validateTransaction(txn: Transaction): void {
  validateReplicaId(txn.origin);
  if (entry(txn.clock, txn.origin) < 1) {
    throw new InvalidInputError(`transaction from ${txn.origin} has no sequence number in its clock`);
  }
  const seq = sequenceOf(txn);
  for (const e of txn.effects) crdtType(e.type).validateEffect(e.effect, txn.origin, seq);
}
