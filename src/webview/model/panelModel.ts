import { Json } from '../../core/json';
import { objectId } from '../../core/transaction';
import { VectorClock } from '../../core/vectorClock';
import {
  MAX_REPLICAS_SHOWN,
  MAX_TRANSACTIONS_SHOWN,
  ObjectEntry,
  PanelDelta,
  PanelSnapshot,
  PeerView,
  ReplicaView,
  SelfInfo,
  StorageFigures,
  TxnView,
  WaitingView,
} from '../protocol';

/** Everything the panel shows, as the webview holds it. Mutated in place: a 10,000-element set is not copied per change. */
export interface PanelModel {
  loaded: boolean;
  self: SelfInfo | null;
  clock: VectorClock;
  readonly objects: Map<string, ObjectEntry>;
  peers: readonly PeerView[];
  waiting: readonly WaitingView[];
  waitingTotal: number;
  storage: StorageFigures | null;
  transactions: TxnView[];
  /** Every other replica the node has heard of (also through peers), by id. */
  replicas: ReadonlyMap<string, ReplicaView>;
}

/** What one batch of actions changed, so the view redraws only those parts. */
export interface ModelChanges {
  everything: boolean;
  self: boolean;
  clock: boolean;
  peers: boolean;
  waiting: boolean;
  storage: boolean;
  transactions: boolean;
  replicas: boolean;
  readonly objects: Set<string>;
}

/**
 * Everything that can change the model, applied in arrival order. An inspect answer goes through
 * the same queue as deltas, so a delta that arrived before it can never wipe out its result.
 */
export type PanelAction =
  | { readonly kind: 'reset'; readonly snapshot: PanelSnapshot }
  | { readonly kind: 'delta'; readonly delta: PanelDelta }
  | { readonly kind: 'internal'; readonly id: string; readonly internal: Json | null };

export function emptyModel(): PanelModel {
  return {
    loaded: false,
    self: null,
    clock: {},
    objects: new Map(),
    peers: [],
    waiting: [],
    waitingTotal: 0,
    storage: null,
    transactions: [],
    replicas: new Map(),
  };
}

function noChanges(): ModelChanges {
  return {
    everything: false,
    self: false,
    clock: false,
    peers: false,
    waiting: false,
    storage: false,
    transactions: false,
    replicas: false,
    objects: new Set(),
  };
}

export function hasChanges(c: ModelChanges): boolean {
  return c.everything || c.self || c.clock || c.peers || c.waiting || c.storage || c.transactions || c.replicas || c.objects.size > 0;
}

export function reduce(model: PanelModel, actions: readonly PanelAction[]): ModelChanges {
  const changes = noChanges();
  for (const action of actions) {
    if (action.kind === 'reset') applySnapshot(model, action.snapshot, changes);
    else if (action.kind === 'delta') applyDelta(model, action.delta, changes);
    else applyInternal(model, action.id, action.internal, changes);
  }
  return changes;
}

function applySnapshot(model: PanelModel, snapshot: PanelSnapshot, changes: ModelChanges): void {
  model.loaded = true;
  model.self = snapshot.self;
  model.clock = snapshot.clock;
  model.objects.clear();
  for (const entry of snapshot.objects) model.objects.set(objectId(entry), entry);
  model.peers = snapshot.peers;
  model.waiting = snapshot.waiting;
  model.waitingTotal = snapshot.waitingTotal;
  model.storage = snapshot.storage;
  model.transactions = snapshot.transactions.slice(-MAX_TRANSACTIONS_SHOWN);
  model.replicas = byId(snapshot.replicas);
  changes.everything = true;
}

function applyDelta(model: PanelModel, delta: PanelDelta, changes: ModelChanges): void {
  if (delta.self) {
    model.self = delta.self;
    changes.self = true;
  }
  if (delta.clock) {
    model.clock = delta.clock;
    changes.clock = true;
  }
  for (const entry of delta.objects ?? []) {
    const id = objectId(entry);
    model.objects.set(id, entry);
    changes.objects.add(id);
  }
  if (delta.peers) {
    model.peers = delta.peers;
    changes.peers = true;
  }
  if (delta.waiting) {
    model.waiting = delta.waiting;
    model.waitingTotal = delta.waitingTotal ?? delta.waiting.length;
    changes.waiting = true;
  }
  if (delta.storage !== undefined) {
    model.storage = delta.storage;
    changes.storage = true;
  }
  if (delta.replicas) {
    model.replicas = byId(delta.replicas);
    changes.replicas = true;
  }
  if (delta.replaceTransactions) {
    model.transactions = [];
    changes.transactions = true;
  }
  if (delta.transactions && delta.transactions.length > 0) {
    model.transactions.push(...delta.transactions);
    if (model.transactions.length > MAX_TRANSACTIONS_SHOWN) {
      model.transactions.splice(0, model.transactions.length - MAX_TRANSACTIONS_SHOWN);
    }
    changes.transactions = true;
  }
}

/** Bounded like the host's list, whatever arrives. */
function byId(replicas: readonly ReplicaView[]): Map<string, ReplicaView> {
  return new Map(replicas.slice(0, MAX_REPLICAS_SHOWN).map((r) => [r.id, r]));
}

function applyInternal(model: PanelModel, id: string, internal: Json | null, changes: ModelChanges): void {
  const entry = model.objects.get(id);
  if (!entry) return;
  const { internal: _dropped, ...rest } = entry;
  model.objects.set(id, internal === null ? rest : { ...rest, internal });
  changes.objects.add(id);
}
