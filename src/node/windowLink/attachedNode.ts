import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { decodeSnapshot } from '../../core/codec/snapshotCoding';
import { Disposable, Emitter } from '../../core/emitter';
import { OutcomeUnknownError, UnavailableError, errorMessage } from '../../core/errors';
import { Json } from '../../core/json';
import { ReadResult, Replica, ReplicaChange } from '../../core/replica';
import { ClockSchema } from '../../core/schemas';
import { ObjectKey, Transaction, Update } from '../../core/transaction';
import { VectorClock } from '../../core/vectorClock';
import { newNonce, proof, verifyProof } from '../../net/auth';
import { MAX_OUTSTANDING_REQUESTS } from '../../net/clientSession';
import { RemoteError } from '../../net/client';
import { Log } from '../../net/connection';
import { FramedSocket, connectLocal, localSocketPath } from '../../net/localSocket';
import { NodeStatus, ReplicaPresence } from '../minidoteNode';
import { LastChange, ObjectActivity } from '../objectActivity';
import { LoggedTransactions, ObjectHistory, TransactionRef, newestLogged, objectHistory, valueAsOf } from '../objectHistory';
import { DeliveredTransaction, RECENT_TRANSACTIONS_KEPT, RecentTransactions } from '../recentTransactions';
import { ReplicaNode } from '../replicaNode';
import { TOKEN_FILE } from './windowServer';
import {
  MAX_LOGGED_TRANSACTIONS,
  OwnerMessage,
  OwnerMessageType,
  OwnerStatus,
  StateMessage,
  WindowCallInput,
  readMessage,
} from './windowProtocol';

/** The owner's first answers are small; its state may be as large as a snapshot peers may send. */
const FROM_OWNER = { maxFrameBytes: 256 * 1024 * 1024, maxPendingBytes: 16 * 1024 * 1024 };
const DEFAULT_ATTACH_TIMEOUT_MS = 5_000;
const DEFAULT_UPDATE_WAIT_MS = 10_000;

export interface AttachOptions {
  readonly log?: Log;
  /** How long connecting, the handshake and the first state may take together. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly call: WindowCallInput['call'];
  resolve(body: unknown): void;
  reject(error: Error): void;
}

/**
 * A window's view of the replica another window holds (docs/architecture.md, "Windows sharing a
 * replica"). It keeps an in-memory copy that the owner keeps current (its whole state on attach,
 * then every transaction it delivers, in delivery order), so reads, views and the panel work here
 * as in the owner; updates and peer commands go to the owner, which logs them. The copy never
 * makes transactions of its own: the replica id stays one per data directory.
 */
export class AttachedNode implements ReplicaNode {
  private readonly peersEmitter = new Emitter<void>();
  private readonly detachEmitter = new Emitter<string>();
  private readonly pending = new Map<number, Pending>();
  private recent = new RecentTransactions(RECENT_TRANSACTIONS_KEPT);
  private nextRequest = 1;
  private mirror: Replica;
  private ownerStatus: OwnerStatus;
  private loggedBase: VectorClock | null;
  private loggedTransactions: Transaction[];
  private activity: ObjectActivity;
  private closing = false;

  private constructor(
    private readonly link: FramedSocket,
    state: StateMessage,
    readonly dataDir: string,
    private readonly log: Log,
  ) {
    this.displayName = state.displayName;
    this.mirror = new Replica(state.id);
    this.ownerStatus = state.status;
    this.loggedBase = null;
    this.loggedTransactions = [];
    this.activity = new ObjectActivity(() => this.loggedTransactions);
    this.mirror.onChange((change) => this.delivered(change));
    this.install(state);
    link.onClose((reason) => this.detached(reason));
    link.setHandler((frame) => this.take(frame));
  }

  readonly displayName: string;

  /**
   * Attaches to the window holding `dataDir`; UnavailableError when none serves it (no token, no
   * socket, no answer in time) or when it fails to prove it knows the token.
   */
  static async attach(dataDir: string, options: AttachOptions = {}): Promise<AttachedNode> {
    const log = options.log ?? (() => undefined);
    const timeoutMs = options.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
    const token = await readToken(dataDir);
    const socket = await connectLocal(localSocketPath(dataDir), timeoutMs);
    const link = new FramedSocket(socket, FROM_OWNER);
    const state = await handshake(link, token, timeoutMs);
    return new AttachedNode(link, state, dataDir, log);
  }

  get id(): string {
    return this.mirror.id;
  }

  get clock(): VectorClock {
    return this.mirror.clock;
  }

  get listenUrl(): string | undefined {
    return this.ownerStatus.listening ?? undefined;
  }

  /** When the link to the owner ends other than by `close` (the owner window closed or failed). */
  onDetached(listener: (reason: string) => void): Disposable {
    return this.detachEmitter.on(listener);
  }

  value(key: ObjectKey): Json {
    return this.mirror.value(key);
  }

  listObjects(): ObjectKey[] {
    return this.mirror.listObjects();
  }

  inspect(key: ObjectKey): Json {
    return this.mirror.inspect(key);
  }

  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult> {
    return this.mirror.read(keys, clock, timeoutMs, signal);
  }

  /** The owner logs it; this resolves once the copy here has it too, so this window reads its own write. */
  async update(updates: Update[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<VectorClock> {
    signal?.throwIfAborted();
    const body = await this.request({ call: 'update', updates, clock, timeoutMs });
    const commit = v.safeParse(v.object({ clock: ClockSchema }), body);
    if (!commit.success) throw new OutcomeUnknownError('the window holding the replica answered an update without its clock');
    await this.mirror.waitFor(commit.output.clock, timeoutMs ?? DEFAULT_UPDATE_WAIT_MS, signal);
    return commit.output.clock;
  }

  status(): NodeStatus {
    const { listening, peers, waiting, storage, conflicts } = this.ownerStatus;
    return { id: this.id, displayName: this.displayName, clock: this.mirror.clock, listening, peers, waiting, storage, conflicts };
  }

  onDidChange(listener: (change: ReplicaChange) => void): Disposable {
    return this.mirror.onChange(listener);
  }

  onPeersChanged(listener: () => void): Disposable {
    return this.peersEmitter.on(listener);
  }

  recentTransactions(): DeliveredTransaction[] {
    return this.recent.list();
  }

  lastChange(key: ObjectKey): LastChange | undefined {
    return this.activity.lastChange(key);
  }

  history(key: ObjectKey): ObjectHistory {
    return objectHistory(key, this.logged());
  }

  valueAsOf(key: ObjectKey, at: TransactionRef): Json | undefined {
    return valueAsOf(key, at, this.logged());
  }

  displayNameOf(id: string): string {
    if (id === this.id) return this.displayName;
    return this.ownerStatus.replicas.find((r) => r.id === id)?.displayName ?? id;
  }

  replicas(): ReplicaPresence[] {
    return [...this.ownerStatus.replicas];
  }

  async listen(host: string, port: number): Promise<string> {
    const body = await this.request({ call: 'listen', host, port });
    const answer = v.safeParse(v.object({ url: v.string() }), body);
    if (!answer.success) throw new UnavailableError('the window holding the replica did not say where it listens');
    return answer.output.url;
  }

  async stopListening(): Promise<void> {
    await this.request({ call: 'stopListening' });
  }

  connectPeer(url: string): void {
    this.fireAndLog({ call: 'connectPeer', url });
  }

  disconnectPeer(url: string): void {
    this.fireAndLog({ call: 'disconnectPeer', url });
  }

  /** The owner window applies the settings it reads itself (the same user settings as here). */
  setPeers(): void {}

  /** The owner window takes the team secret from the same secret storage as this one. */
  setSecret(): void {}

  /** Nothing to flush: the owner holds the data. */
  close(): Promise<void> {
    this.closing = true;
    this.link.close('the window closed');
    return Promise.resolve();
  }

  private logged(): LoggedTransactions {
    return { base: this.loggedBase, transactions: this.loggedTransactions };
  }

  private install(state: StateMessage): void {
    this.ownerStatus = state.status;
    this.loggedBase = state.logged.base;
    this.loggedTransactions = [...state.logged.transactions];
    this.activity = new ObjectActivity(() => this.loggedTransactions);
    // A state replaces everything, the owner's recent transactions too (a second one comes after a snapshot install).
    this.recent = new RecentTransactions(RECENT_TRANSACTIONS_KEPT);
    for (const item of state.recent) this.recent.push(item);
    // Installing a state is a snapshot change, which `delivered` leaves out: its transactions are in the log copied above.
    this.mirror.importState(decodeSnapshot(Buffer.from(state.snapshot, 'base64')));
  }

  private delivered(change: ReplicaChange): void {
    if (change.kind !== 'transaction') return;
    const txn = change.transaction;
    this.recent.add(txn, txn.origin === this.id);
    this.activity.delivered(txn);
    this.loggedTransactions.push(txn);
    // Trimmed a tenth at a time: dropping one per delivery would copy the whole list each time.
    if (this.loggedTransactions.length > MAX_LOGGED_TRANSACTIONS * 1.1) {
      ({ base: this.loggedBase, transactions: this.loggedTransactions } = newestLogged(this.logged(), MAX_LOGGED_TRANSACTIONS));
    }
  }

  private take(frame: Json): void {
    const parsed = readMessage(OwnerMessage, frame);
    if (!parsed.ok) {
      this.link.close(parsed.reason);
      return;
    }
    const message: OwnerMessageType = parsed.value;
    try {
      switch (message.t) {
        case 'change':
          this.mirror.receive(message.transaction, 'owner');
          return;
        case 'state':
          this.install(message);
          this.peersEmitter.emit();
          return;
        case 'status':
          this.ownerStatus = message.status;
          this.peersEmitter.emit();
          return;
        case 'result':
          this.settle(message);
          return;
        case 'challenge':
          this.link.close('a second challenge');
          return;
      }
    } catch (error) {
      this.link.close(`the window holding the replica sent what this window cannot take: ${errorMessage(error)}`);
    }
  }

  private settle(message: Extract<OwnerMessageType, { t: 'result' }>): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.body);
    else waiter.reject(new RemoteError(message.error.kind, message.error.message));
  }

  private request(request: WindowCallInput): Promise<unknown> {
    if (this.link.closed) return Promise.reject(new UnavailableError('the window holding the replica is gone'));
    if (this.pending.size >= MAX_OUTSTANDING_REQUESTS) {
      return Promise.reject(new UnavailableError(`too many requests in progress (at most ${MAX_OUTSTANDING_REQUESTS})`));
    }
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { call: request.call, resolve, reject });
      this.link.send({ t: 'request', id, request });
    });
  }

  private fireAndLog(request: WindowCallInput): void {
    this.request(request).catch((error: unknown) => this.log('warn', `${request.call} failed: ${errorMessage(error)}`));
  }

  private detached(reason: string): void {
    for (const [, waiter] of this.pending) {
      const why = `the window holding the replica went away (${reason})`;
      waiter.reject(waiter.call === 'update' ? new OutcomeUnknownError(why) : new UnavailableError(why));
    }
    this.pending.clear();
    if (!this.closing) this.detachEmitter.emit(reason);
  }
}

async function readToken(dataDir: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(join(dataDir, TOKEN_FILE), 'utf8');
  } catch (error) {
    throw new UnavailableError(`no window serves ${dataDir}: ${errorMessage(error)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new UnavailableError(`the window token in ${dataDir} is not one`);
  return text;
}

/** Proves both ways that each side knows the token, then waits for the owner's whole state. */
function handshake(link: FramedSocket, token: string, timeoutMs: number): Promise<StateMessage> {
  const ownNonce = newNonce();
  return new Promise((resolve, reject) => {
    let settled = false;
    let proven = false;
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    function fail(reason: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      link.close(reason);
      reject(new UnavailableError(`could not attach to the window holding the replica: ${reason}`));
    }
    link.onClose((reason) => fail(reason));
    link.setHandler((frame) => {
      const parsed = readMessage(OwnerMessage, frame);
      if (!parsed.ok) return fail(parsed.reason);
      const message = parsed.value;
      if (message.t === 'challenge' && !proven) {
        if (!verifyProof(token, 'listener', message.nonce, ownNonce, message.proof)) return fail('it does not know the token');
        proven = true;
        link.send({ t: 'proof', proof: proof(token, 'connector', message.nonce, ownNonce) });
      } else if (message.t === 'state' && proven) {
        settled = true;
        clearTimeout(timer);
        // What follows the state waits until the attached node takes it.
        link.setHandler(undefined);
        resolve(message);
      } else fail(`unexpected ${message.t} message`);
    });
    link.send({ t: 'hello', nonce: ownNonce });
  });
}
