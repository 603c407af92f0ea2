import { Disposable } from '../../core/emitter';
import { UnavailableError } from '../../core/errors';
import { ObjectKey, Update, objectId } from '../../core/transaction';
import { VectorClock } from '../../core/vectorClock';
import type { NodeStatus } from '../../node/minidoteNode';
import type { ReplicaNode } from '../../node/replicaNode';
import type { ObjectChange } from '../../node/objectActivity';
import {
  AddElementRequest,
  AssignRegisterRequest,
  ChangeCounterRequest,
  ChangeView,
  DeltaNotification,
  HistoryRequest,
  HistoryView,
  InspectRequest,
  MAX_TRANSACTIONS_SHOWN,
  MAX_WAITING_SHOWN,
  ObjectEntry,
  PanelDelta,
  PanelSnapshot,
  ReadyRequest,
  RemoveElementRequest,
  ResetNotification,
  SetFlagRequest,
  StorageFigures,
  TxnView,
  UpdateResult,
  ValueAsOfRequest,
  ValueAsOfResult,
  WaitingView,
} from '../../webview/protocol';
import { MessageDispatcher, ProtocolMessage, notificationMessage } from '../../webview/rpc';
import { t } from '../localize';
import { replicaViews } from './panelReplicas';

/** What the panel needs from a running node. */
export type PanelNode = Pick<
  ReplicaNode,
  | 'id'
  | 'value'
  | 'inspect'
  | 'listObjects'
  | 'dataDir'
  | 'update'
  | 'status'
  | 'onDidChange'
  | 'onPeersChanged'
  | 'recentTransactions'
  | 'lastChange'
  | 'history'
  | 'valueAsOf'
  | 'displayNameOf'
  | 'replicas'
>;

export interface PanelSessionOptions {
  /** Changes arriving within this window go out as one delta (ms). */
  readonly coalesceMs?: number;
  readonly log?: (message: string) => void;
}

const DEFAULT_COALESCE_MS = 50;

const txnId = (t: { origin: string; clock: VectorClock }) => `${t.origin}:${t.clock[t.origin] ?? 0}`;

function waitingViews(status: NodeStatus): WaitingView[] {
  return status.waiting.slice(0, MAX_WAITING_SHOWN).map(({ transaction, missing }) => ({
    origin: transaction.origin,
    clock: transaction.clock,
    at: transaction.at,
    keys: transaction.effects.map(({ bucket, key, type }) => ({ bucket, key, type })),
    missing,
  }));
}

function changeView(node: PanelNode, change: ObjectChange): ChangeView {
  return { origin: change.origin, author: node.displayNameOf(change.origin), at: change.at, clock: change.clock, op: change.op };
}

function historyView(node: PanelNode, key: ObjectKey): HistoryView {
  const { entries, unavailableBefore } = node.history(key);
  return { entries: entries.map((e) => changeView(node, e)), unavailableBefore };
}

function storageFigures(status: NodeStatus, directory: string): StorageFigures {
  const { logRecords, logBytes, snapshotAt, snapshotBytes, diskBytes, fsyncs } = status.storage;
  return { logRecords, logBytes, snapshotAt, snapshotBytes, diskBytes, fsyncs, directory };
}

/** The small parts of the page, as last sent: a delta carries one only when its text changed. */
interface SentParts {
  self: string;
  clock: string;
  peers: string;
  waiting: string;
  storage: string;
  replicas: string;
  lastTxn: string | undefined;
}

/**
 * The host side of one panel page, independent of VS Code: answers the webview's requests against
 * a node (validated by the shared protocol), and streams what changes as coalesced deltas. Nothing
 * is sent before the page asked for its first state, and after a page reload it starts over.
 */
export class PanelSession implements Disposable {
  private readonly dispatcher: MessageDispatcher;
  private readonly coalesceMs: number;
  private readonly log: (message: string) => void;
  private node: PanelNode | undefined;
  private subscriptions: Disposable[] = [];
  private nodeWaiters: ((node: PanelNode) => void)[] = [];
  private live = false;
  private readonly watched = new Map<string, ObjectKey>();
  private readonly changed = new Map<string, ObjectKey>();
  private replaced = false;
  private sent: SentParts | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly post: (message: ProtocolMessage) => void,
    node: PanelNode | undefined,
    options: PanelSessionOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.log = options.log ?? (() => undefined);
    this.dispatcher = new MessageDispatcher((reason) => this.log(t('replica panel: {0}', reason)))
      .onRequest(ReadyRequest, () => this.ready())
      .onRequest(InspectRequest, ({ object, watch }) => {
        const id = objectId(object);
        if (!watch) {
          this.watched.delete(id);
          return { internal: null };
        }
        this.watched.set(id, object);
        return { internal: this.requireNode().inspect(object) };
      })
      .onRequest(HistoryRequest, ({ object }) => historyView(this.requireNode(), object))
      .onRequest(ValueAsOfRequest, ({ object, origin, seq }): ValueAsOfResult => {
        const value = this.requireNode().valueAsOf(object, { origin, seq });
        return value === undefined ? { available: false } : { available: true, value };
      })
      .onRequest(SetFlagRequest, ({ object, enabled }) => this.update({ ...object, op: enabled ? 'enable' : 'disable' }))
      .onRequest(AddElementRequest, ({ object, element }) => this.update({ ...object, op: 'add', args: [element] }))
      .onRequest(RemoveElementRequest, ({ object, element }) => this.update({ ...object, op: 'remove', args: [element] }))
      .onRequest(ChangeCounterRequest, ({ object, op, amount }) => this.update({ ...object, op, args: [amount] }))
      .onRequest(AssignRegisterRequest, ({ object, value }) => this.update({ ...object, op: 'assign', args: [value] }));
    if (node) this.attach(node);
  }

  /** Feeds one message from the webview (untrusted) and posts the answer to a request. */
  async receive(message: unknown): Promise<void> {
    const response = await this.dispatcher.dispatch(message);
    if (response && !this.disposed) this.post(response);
  }

  /** Shows another node (or the first one). A page already showing state gets the new node's whole state. */
  attach(node: PanelNode): void {
    if (node === this.node) return;
    for (const s of this.subscriptions) s.dispose();
    this.node = node;
    this.subscriptions = [
      node.onDidChange((change) => {
        if (change.kind === 'snapshot') this.replaced = true;
        else for (const e of change.transaction.effects) this.changed.set(objectId(e), e);
        this.schedule();
      }),
      node.onPeersChanged(() => this.schedule()),
    ];
    for (const resolve of this.nodeWaiters.splice(0)) resolve(node);
    if (this.live) {
      this.replaced = true;
      this.schedule();
    }
  }

  /** The page went away (hidden without retained context, or reloading): stop streaming until it is ready again. */
  pause(): void {
    this.live = false;
    this.clearTimer();
  }

  dispose(): void {
    this.disposed = true;
    this.pause();
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
  }

  private async ready(): Promise<PanelSnapshot> {
    const node = this.node ?? (await new Promise<PanelNode>((resolve) => this.nodeWaiters.push(resolve)));
    this.watched.clear();
    this.changed.clear();
    this.replaced = false;
    this.clearTimer();
    this.live = true;
    return this.snapshot(node);
  }

  private requireNode(): PanelNode {
    if (!this.node) throw new UnavailableError(t('the replica is not open yet; try again in a moment'));
    return this.node;
  }

  private async update(update: Update): Promise<UpdateResult> {
    return { clock: await this.requireNode().update([update]) };
  }

  private entry(node: PanelNode, key: ObjectKey): ObjectEntry {
    const last = node.lastChange(key);
    const base: ObjectEntry = {
      bucket: key.bucket,
      key: key.key,
      type: key.type,
      value: node.value(key),
      ...(last && { lastChange: { ...changeView(node, last), concurrent: last.concurrent.map((c) => changeView(node, c)) } }),
    };
    return this.watched.has(objectId(key)) ? { ...base, internal: node.inspect(key) } : base;
  }

  private snapshot(node: PanelNode): PanelSnapshot {
    const status = node.status();
    const transactions: TxnView[] = node.recentTransactions().slice(-MAX_TRANSACTIONS_SHOWN);
    const snapshot: PanelSnapshot = {
      self: { id: status.id, displayName: status.displayName, listening: status.listening },
      clock: status.clock,
      objects: node.listObjects().map((key) => this.entry(node, key)),
      peers: status.peers,
      waiting: waitingViews(status),
      waitingTotal: status.waiting.length,
      storage: storageFigures(status, node.dataDir),
      transactions,
      replicas: replicaViews(node.replicas(), status.clock),
    };
    this.sent = {
      self: JSON.stringify(snapshot.self),
      clock: JSON.stringify(snapshot.clock),
      peers: JSON.stringify(snapshot.peers),
      waiting: JSON.stringify(snapshot.waiting),
      storage: JSON.stringify(snapshot.storage),
      replicas: JSON.stringify(snapshot.replicas),
      lastTxn: transactions.length > 0 ? txnId(transactions[transactions.length - 1]) : undefined,
    };
    return snapshot;
  }

  private schedule(): void {
    if (!this.live || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.coalesceMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    const node = this.node;
    if (!this.live || !node || this.disposed) return;
    if (this.replaced) {
      this.replaced = false;
      this.changed.clear();
      this.post(notificationMessage(ResetNotification, this.snapshot(node)));
      return;
    }
    const delta = this.delta(node);
    if (Object.keys(delta).length > 0) this.post(notificationMessage(DeltaNotification, delta));
  }

  private delta(node: PanelNode): PanelDelta {
    const sent = this.sent as SentParts;
    const status = node.status();
    const delta: { -readonly [K in keyof PanelDelta]: PanelDelta[K] } = {};
    const differs = <K extends Exclude<keyof SentParts, 'lastTxn'>>(part: K, value: unknown): boolean => {
      const text = JSON.stringify(value);
      if (text === sent[part]) return false;
      sent[part] = text;
      return true;
    };
    const self = { id: status.id, displayName: status.displayName, listening: status.listening };
    if (differs('self', self)) delta.self = self;
    if (differs('clock', status.clock)) delta.clock = status.clock;
    if (differs('peers', status.peers)) delta.peers = status.peers;
    const waiting = waitingViews(status);
    if (differs('waiting', waiting)) {
      delta.waiting = waiting;
      delta.waitingTotal = status.waiting.length;
    }
    const storage = storageFigures(status, node.dataDir);
    if (differs('storage', storage)) delta.storage = storage;
    const replicas = replicaViews(node.replicas(), status.clock);
    if (differs('replicas', replicas)) delta.replicas = replicas;
    if (this.changed.size > 0) {
      delta.objects = [...this.changed.values()].map((key) => this.entry(node, key));
      this.changed.clear();
    }
    const recent = node.recentTransactions();
    const from = sent.lastTxn === undefined ? 0 : recent.findIndex((t) => txnId(t) === sent.lastTxn) + 1;
    if (from === 0 && sent.lastTxn !== undefined) delta.replaceTransactions = true;
    const fresh = recent.slice(from).slice(-MAX_TRANSACTIONS_SHOWN);
    if (fresh.length > 0) {
      delta.transactions = fresh;
      sent.lastTxn = txnId(fresh[fresh.length - 1]);
    }
    return delta;
  }
}
