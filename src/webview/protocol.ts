/**
 * The replica panel's messages between its host (src/extension/panel) and its webview, over the
 * typed RPC of rpc.ts: what the host shows (built from the node's own types), and what the webview
 * may ask. Requests from the webview are untrusted: each has a schema the host checks first.
 */
import * as v from 'valibot';
import { TYPE_NAMES, TypeName } from '../core/crdt/crdtType';
import { typesOfFamily } from '../core/crdt/registry';
import { Json } from '../core/json';
import type { PeerState, PeerStatus } from '../core/peerStatus';
import { ObjectKey } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import type { ChangeView, LastChangeView } from './model/lastChange';
import { notification, request, returns, trusted } from './rpc';

export type { ChangeView, LastChangeView };

// ─── What the host shows ────────────────────────────────────────────────────────────────────────

export interface ObjectEntry extends ObjectKey {
  readonly value: Json;
  /** The type's encoded internal state; present only for objects the webview inspects. */
  readonly internal?: Json;
  /** Who changed it last, when the node knows. */
  readonly lastChange?: LastChangeView;
}

export interface SelfInfo {
  readonly id: string;
  readonly displayName: string;
  readonly listening: string | null;
}

/** A peer link exactly as the node reports it. */
export type PeerView = PeerStatus;
export type { PeerState };

/**
 * Another replica the node has heard of, directly or through a peer: enough to name it and say
 * whether it is online (the node's ReplicaPresence, less what the page does not show).
 */
export interface ReplicaView {
  readonly id: string;
  /** Its display name, or its id when none is known. */
  readonly displayName: string;
  /** Connected to this replica, reached through a peer that is, or neither. */
  readonly online: 'direct' | 'via-peer' | 'offline';
  /** When it was last seen connected (ms since the epoch); null when never told, or online. */
  readonly lastSeen: number | null;
}

/** A delivered transaction, as the diagram needs it (effects left out: keys are enough). */
export interface TxnView {
  readonly origin: string;
  readonly clock: VectorClock;
  readonly at: number;
  readonly deliveredAt: number;
  readonly local: boolean;
  readonly keys: readonly ObjectKey[];
}

/** A transaction held in the causal buffer and the clock entries it still waits for. */
export interface WaitingView {
  readonly origin: string;
  readonly clock: VectorClock;
  readonly at: number;
  readonly keys: readonly ObjectKey[];
  readonly missing: VectorClock;
}

export interface StorageFigures {
  /** Transaction records in the log segments on disk. */
  readonly logRecords: number;
  readonly logBytes: number;
  /** When the newest snapshot was written (ms since epoch), null when there is none yet. */
  readonly snapshotAt: number | null;
  readonly snapshotBytes: number;
  /** Everything in the replica's data directory. */
  readonly diskBytes: number;
  /** fsync calls on the log since the replica opened (group commit makes them fewer than updates). */
  readonly fsyncs: number;
  readonly directory: string;
}

export interface PanelSnapshot {
  readonly self: SelfInfo;
  readonly clock: VectorClock;
  readonly objects: readonly ObjectEntry[];
  readonly peers: readonly PeerView[];
  /** At most `MAX_WAITING_SHOWN` entries; `waitingTotal` is the buffer's real size. */
  readonly waiting: readonly WaitingView[];
  readonly waitingTotal: number;
  readonly storage: StorageFigures | null;
  /** Oldest first, in delivery order at this replica. */
  readonly transactions: readonly TxnView[];
  /** At most `MAX_REPLICAS_SHOWN`, those in this replica's clock or online first. */
  readonly replicas: readonly ReplicaView[];
}

/**
 * What changed since the last message: changed objects (whole objects, never the whole list),
 * newly delivered transactions (appended), and replacements for the small parts that changed.
 */
export interface PanelDelta {
  readonly self?: SelfInfo;
  readonly clock?: VectorClock;
  readonly objects?: readonly ObjectEntry[];
  readonly peers?: readonly PeerView[];
  readonly waiting?: readonly WaitingView[];
  readonly waitingTotal?: number;
  readonly storage?: StorageFigures | null;
  readonly transactions?: readonly TxnView[];
  readonly replicas?: readonly ReplicaView[];
  /** `transactions` replaces the list instead of extending it (the host lost track of what was sent). */
  readonly replaceTransactions?: boolean;
}

export const MAX_WAITING_SHOWN = 100;
export const MAX_TRANSACTIONS_SHOWN = 200;
export const MAX_REPLICAS_SHOWN = 1000;

// ─── Limits on what the webview may send ────────────────────────────────────────────────────────

export const MAX_NAME_LENGTH = 512;
export const MAX_VALUE_TEXT = 64 * 1024;
const MAX_VALUE_DEPTH = 32;

/** JSON value of bounded depth and size: a panel input never needs more, and deep input is a red flag. */
function isBoundedJson(value: unknown): value is Json {
  let budget = MAX_VALUE_TEXT;
  const walk = (x: unknown, depth: number): boolean => {
    if (depth > MAX_VALUE_DEPTH || --budget < 0) return false;
    if (x === null || typeof x === 'boolean') return true;
    if (typeof x === 'number') return Number.isFinite(x);
    if (typeof x === 'string') return (budget -= x.length) >= 0;
    if (Array.isArray(x)) return x.every((item) => walk(item, depth + 1));
    if (typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return false;
    return Object.entries(x).every(([k, item]) => (budget -= k.length) >= 0 && walk(item, depth + 1));
  };
  return walk(value, 0);
}

const JsonValue = v.custom<Json>(
  isBoundedJson,
  `must be a JSON value of at most ${MAX_VALUE_TEXT} characters and ${MAX_VALUE_DEPTH} levels`,
);

const Name = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`),
);

function keyOf(types: readonly TypeName[]) {
  return v.object({ bucket: Name, key: Name, type: v.picklist(types, `type must be one of ${types.join(', ')}`) });
}

export const FLAG_TYPES = typesOfFamily('flag');
export const SET_TYPES = typesOfFamily('set');
export const COUNTER_TYPES = typesOfFamily('counter');
export const REGISTER_TYPES = typesOfFamily('register');

const AnyKey = keyOf(TYPE_NAMES);
const Amount = v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(1, 'must be at least 1'));

// ─── Requests and notifications ─────────────────────────────────────────────────────────────────

export interface UpdateResult {
  /** The replica's clock after the transaction. */
  readonly clock: VectorClock;
}

export interface InspectResult {
  readonly internal: Json | null;
}

/** Webview → host: the page is up; the answer is the whole current state, once per page load. */
export const ReadyRequest = request('panel/ready', v.object({}), returns<PanelSnapshot>());

/**
 * Webview → host: start (`watch: true`) or stop showing an object's internal state. While watched,
 * the object's deltas carry `internal`.
 */
export const InspectRequest = request(
  'object/inspect',
  v.object({ object: AnyKey, watch: v.boolean('watch must be a boolean') }),
  returns<InspectResult>(),
);

export const SetFlagRequest = request(
  'flag/set',
  v.object({ object: keyOf(FLAG_TYPES), enabled: v.boolean('enabled must be a boolean') }),
  returns<UpdateResult>(),
);

export const AddElementRequest = request('set/add', v.object({ object: keyOf(SET_TYPES), element: JsonValue }), returns<UpdateResult>());

export const RemoveElementRequest = request(
  'set/remove',
  v.object({ object: keyOf(SET_TYPES), element: JsonValue }),
  returns<UpdateResult>(),
);

export const ChangeCounterRequest = request(
  'counter/change',
  v.object({
    object: keyOf(COUNTER_TYPES),
    op: v.picklist(['increment', 'decrement'], 'op must be increment or decrement'),
    amount: Amount,
  }),
  returns<UpdateResult>(),
);

export const AssignRegisterRequest = request(
  'register/assign',
  v.object({ object: keyOf(REGISTER_TYPES), value: JsonValue }),
  returns<UpdateResult>(),
);

/** The transactions that touched one object, newest first. */
export interface HistoryView {
  readonly entries: readonly ChangeView[];
  /** Null when the log starts from the empty state; else the clock before which nothing is known. */
  readonly unavailableBefore: VectorClock | null;
}

/** An object's value right after one transaction; `available` false when it cannot be replayed. */
export type ValueAsOfResult = { readonly available: true; readonly value: Json } | { readonly available: false };

/** Webview → host: the history of one object. */
export const HistoryRequest = request('object/history', v.object({ object: AnyKey }), returns<HistoryView>());

/** Webview → host: an object's value as of one transaction (its origin and sequence number there). */
export const ValueAsOfRequest = request(
  'object/valueAsOf',
  v.object({
    object: AnyKey,
    origin: Name,
    seq: v.pipe(v.number('seq must be a number'), v.safeInteger('seq must be an integer'), v.minValue(1, 'seq must be at least 1')),
  }),
  returns<ValueAsOfResult>(),
);

/** Host → webview: deltas since the previous message (coalesced on the host). */
export const DeltaNotification = notification('state/delta', trusted<PanelDelta>());

/** Host → webview: the whole state was replaced (another node attached, or a snapshot installed). */
export const ResetNotification = notification('state/reset', trusted<PanelSnapshot>());
