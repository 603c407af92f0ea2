/**
 * The one message protocol between the replica panel's host (extension) and its webview. Every
 * message is a typed request (answered by exactly one response) or a typed notification, declared
 * once here with a valibot schema for its parameters; `MessageDispatcher` validates and routes
 * them on either side. Messages from the webview are untrusted input: the host only ever sees
 * parameters that passed their schema.
 */
import * as v from 'valibot';
import { TYPE_NAMES, TypeName } from '../core/crdt/crdtType';
import { ErrorKind, MinidoteError } from '../core/errors';
import { Json } from '../core/json';
import { ObjectKey } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';

// ─── What the host shows ────────────────────────────────────────────────────────────────────────

export interface ObjectEntry extends ObjectKey {
  readonly value: Json;
  /** The type's encoded internal state; present only for objects the webview inspects. */
  readonly internal?: Json;
}

export interface SelfInfo {
  readonly id: string;
  readonly displayName: string;
  readonly listening: string | null;
}

export type PeerState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface PeerView {
  readonly id: string | null;
  readonly url: string | null;
  readonly direction: 'outbound' | 'inbound';
  readonly state: PeerState;
  readonly displayName: string | null;
  readonly lastSeen: number | null;
  readonly clock: VectorClock | null;
  readonly lastError: string | null;
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
  /** `transactions` replaces the list instead of extending it (the host lost track of what was sent). */
  readonly replaceTransactions?: boolean;
}

export const MAX_WAITING_SHOWN = 100;
export const MAX_TRANSACTIONS_SHOWN = 200;

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

function keyOf<const T extends readonly TypeName[]>(types: T) {
  return v.object({ bucket: Name, key: Name, type: v.picklist(types, `type must be one of ${types.join(', ')}`) });
}

export const FLAG_TYPES = ['flag_ew'] as const;
export const SET_TYPES = ['set_aw', 'set_2p'] as const;
export const COUNTER_TYPES = ['counter_pn', 'counter_pn_sb'] as const;
export const REGISTER_TYPES = ['register_mv'] as const;

const AnyKey = keyOf(TYPE_NAMES);
const Amount = v.pipe(
  v.number('must be a number'),
  v.safeInteger('must be an integer'),
  v.minValue(1, 'must be at least 1'),
);

// ─── Message types ──────────────────────────────────────────────────────────────────────────────

/** Carries a response type through a declaration without a value (a type-level marker). */
export interface Returns<R> {
  readonly __returns?: R;
}
export function returns<R>(): Returns<R> {
  return {};
}

export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly params: v.GenericSchema<unknown, P>;
  readonly response: Returns<R>;
}

export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly params: v.GenericSchema<unknown, P>;
}

function request<P, R>(method: string, params: v.GenericSchema<unknown, P>, response: Returns<R>): RequestType<P, R> {
  return { kind: 'request', method, params, response };
}

function notification<P>(method: string, params: v.GenericSchema<unknown, P>): NotificationType<P> {
  return { kind: 'notification', method, params };
}

/** Host → webview messages come from the trusted side; their types are checked at compile time only. */
function fromHost<T>(): v.GenericSchema<unknown, T> {
  return v.custom<T>(() => true);
}

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

export const AddElementRequest = request(
  'set/add',
  v.object({ object: keyOf(SET_TYPES), element: JsonValue }),
  returns<UpdateResult>(),
);

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

/** Host → webview: deltas since the previous message (coalesced on the host). */
export const DeltaNotification = notification('state/delta', fromHost<PanelDelta>());

/** Host → webview: the whole state was replaced (another node attached, or a snapshot installed). */
export const ResetNotification = notification('state/reset', fromHost<PanelSnapshot>());

// ─── Envelopes ──────────────────────────────────────────────────────────────────────────────────

export interface RequestMessage {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface NotificationMessage {
  readonly kind: 'notification';
  readonly method: string;
  readonly params: unknown;
}

export type ResponseErrorKind = ErrorKind | 'internal';

export interface ResponseError {
  readonly kind: ResponseErrorKind;
  readonly message: string;
}

export type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: ResponseError };

export type ProtocolMessage = RequestMessage | NotificationMessage | ResponseMessage;

const RequestEnvelope = v.object({
  kind: v.literal('request'),
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.unknown(),
});

const NotificationEnvelope = v.object({
  kind: v.literal('notification'),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.unknown(),
});

const ResponseEnvelope = v.object({
  kind: v.literal('response'),
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  ok: v.boolean(),
  result: v.optional(v.unknown()),
  error: v.optional(v.object({ kind: v.string(), message: v.string() })),
});

export function requestMessage<P>(type: RequestType<P, unknown>, id: number, params: P): RequestMessage {
  return { kind: 'request', id, method: type.method, params };
}

export function notificationMessage<P>(type: NotificationType<P>, params: P): NotificationMessage {
  return { kind: 'notification', method: type.method, params };
}

export function isResponseMessage(message: unknown): message is ResponseMessage {
  return v.is(ResponseEnvelope, message);
}

/** A failed request as the requesting side sees it. */
export class RequestFailedError extends Error {
  constructor(
    readonly kind: ResponseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

// ─── The dispatcher ─────────────────────────────────────────────────────────────────────────────

type RequestHandler = (params: unknown) => unknown;
type NotificationHandler = (params: unknown) => void;

function describeIssues(method: string, issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  const parts = issues.map((issue) => {
    const path = issue.path?.map((p) => String(p.key)).join('.');
    return path ? `${path} ${issue.message}` : issue.message;
  });
  return `invalid parameters for ${method}: ${parts.join('; ')}`;
}

/**
 * Validates incoming messages and routes them to the handler registered for their type. A request
 * always gets exactly one response (an error response for anything malformed or failing); a bad
 * notification is reported through `onInvalid` and otherwise dropped.
 */
export class MessageDispatcher {
  private readonly requests = new Map<string, { type: RequestType<unknown, unknown>; handler: RequestHandler }>();
  private readonly notifications = new Map<string, { type: NotificationType<unknown>; handler: NotificationHandler }>();

  constructor(private readonly onInvalid: (reason: string) => void = () => undefined) {}

  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): this {
    this.requests.set(type.method, {
      type: type as RequestType<unknown, unknown>,
      handler: handler as RequestHandler,
    });
    return this;
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): this {
    this.notifications.set(type.method, {
      type: type as NotificationType<unknown>,
      handler: handler as NotificationHandler,
    });
    return this;
  }

  /** Handles one message; resolves with the response to send back when it was a request. */
  async dispatch(message: unknown): Promise<ResponseMessage | undefined> {
    const req = v.safeParse(RequestEnvelope, message);
    if (req.success) return this.answer(req.output);
    const note = v.safeParse(NotificationEnvelope, message);
    if (note.success) {
      this.notify(note.output);
      return undefined;
    }
    this.onInvalid(`dropped a malformed message: ${describeMessage(message)}`);
    return undefined;
  }

  private async answer(message: RequestMessage): Promise<ResponseMessage> {
    const fail = (kind: ResponseErrorKind, text: string): ResponseMessage => ({
      kind: 'response',
      id: message.id,
      ok: false,
      error: { kind, message: text },
    });
    const entry = this.requests.get(message.method);
    if (!entry) return fail('invalid', `unknown request "${message.method}"`);
    const params = v.safeParse(entry.type.params, message.params);
    if (!params.success) return fail('invalid', describeIssues(message.method, params.issues));
    try {
      const result = await entry.handler(params.output);
      return { kind: 'response', id: message.id, ok: true, result };
    } catch (error) {
      if (error instanceof MinidoteError) return fail(error.kind, error.message);
      return fail('internal', error instanceof Error ? error.message : String(error));
    }
  }

  private notify(message: NotificationMessage): void {
    const entry = this.notifications.get(message.method);
    if (!entry) {
      this.onInvalid(`dropped unknown notification "${message.method}"`);
      return;
    }
    const params = v.safeParse(entry.type.params, message.params);
    if (!params.success) {
      this.onInvalid(describeIssues(message.method, params.issues));
      return;
    }
    entry.handler(params.output);
  }
}

function describeMessage(message: unknown): string {
  if (message === null || typeof message !== 'object') return `a ${message === null ? 'null' : typeof message}`;
  const { kind, method } = message as { kind?: unknown; method?: unknown };
  const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x.slice(0, 64)) : typeof x);
  return `kind ${show(kind)}, method ${show(method)}`;
}
