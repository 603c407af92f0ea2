import * as v from 'valibot';
import { Json } from '../../core/json';
import {
  ClockSchema,
  CountSchema,
  MAX_EFFECTS_PER_TRANSACTION,
  MAX_NAME_LENGTH,
  ObjectKeySchema,
  ReplicaIdSchema,
  TransactionSchema,
  UpdateSchema,
  describeIssue,
} from '../../core/schemas';
import { MAX_REPLICA_NAMES } from '../../core/replicaName';
import { ErrorBody } from '../../net/messages';

/**
 * The messages between the window that holds a replica (the owner) and another window attached to
 * it over the local socket (docs/architecture.md, "Windows sharing a replica"). Every frame is
 * checked against these schemas before anything reads it; one that fails closes the link.
 *
 * The attaching window sends `hello`, the owner answers `challenge` with its proof over both nonces
 * (keyed by the token it wrote in the data directory), the window answers `proof`. Then the owner
 * sends the whole `state`, and after it every delivered `change` and every `status`; the window
 * sends `request`s, each answered by a `result`.
 */

const Nonce = v.pipe(v.string(), v.regex(/^[0-9a-f]{32,128}$/));
const Proof = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const Text = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH));
const Time = v.pipe(v.number(), v.finite());
const Nullable = <T extends v.GenericSchema>(schema: T) => v.nullable(schema);

/** The most logged transactions a state message carries (the owner's log is compacted well before). */
export const MAX_LOGGED_TRANSACTIONS = 100_000;
/** Waiting transactions and conflicts are shown, not replayed: a few are enough. */
export const MAX_LISTED = 100;
const MAX_PEERS = 1_000;

const PeerStatusSchema = v.object({
  id: Nullable(ReplicaIdSchema),
  url: Nullable(Text),
  direction: v.picklist(['outbound', 'inbound']),
  connected: v.boolean(),
  state: v.picklist(['connecting', 'connected', 'reconnecting', 'closed']),
  displayName: Nullable(Text),
  lastSeen: Nullable(Time),
  clock: Nullable(ClockSchema),
  lastError: Nullable(Text),
});

const StorageStatsSchema = v.object({
  logRecords: CountSchema,
  logBytes: CountSchema,
  snapshotBytes: CountSchema,
  snapshotAt: Nullable(Time),
  diskBytes: CountSchema,
  fsyncs: CountSchema,
});

const PresenceSchema = v.object({
  id: ReplicaIdSchema,
  displayName: Text,
  online: v.picklist(['direct', 'via-peer', 'offline']),
  via: v.pipe(v.array(v.object({ id: ReplicaIdSchema, displayName: Text })), v.maxLength(MAX_PEERS)),
  lastSeen: Nullable(Time),
  seenBy: Nullable(ReplicaIdSchema),
});

/** The owner's status without its clock: the attached window reports its own, which trails it by at most a message. */
export const OwnerStatusSchema = v.object({
  listening: Nullable(Text),
  peers: v.pipe(v.array(PeerStatusSchema), v.maxLength(MAX_PEERS)),
  waiting: v.pipe(v.array(v.object({ transaction: TransactionSchema, missing: ClockSchema })), v.maxLength(MAX_LISTED)),
  storage: StorageStatsSchema,
  conflicts: v.pipe(
    v.array(v.object({ origin: ReplicaIdSchema, seq: CountSchema, source: Nullable(Text), at: Time })),
    v.maxLength(MAX_LISTED),
  ),
  /** The replicas the owner knows of (MinidoteNode.replicas), for names and who is online. */
  replicas: v.pipe(v.array(PresenceSchema), v.maxLength(MAX_REPLICA_NAMES)),
});

const DeliveredSchema = v.object({
  origin: ReplicaIdSchema,
  clock: ClockSchema,
  at: Time,
  deliveredAt: Time,
  local: v.boolean(),
  keys: v.pipe(v.array(ObjectKeySchema), v.maxLength(MAX_EFFECTS_PER_TRANSACTION)),
});

export const OwnerMessage = v.variant('t', [
  v.object({ t: v.literal('challenge'), nonce: Nonce, proof: Proof }),
  v.object({
    t: v.literal('state'),
    id: ReplicaIdSchema,
    displayName: Text,
    /** The replica's state, in the snapshot codec (core/codec/snapshotCoding.ts), base64. */
    snapshot: v.string(),
    logged: v.object({
      base: Nullable(ClockSchema),
      transactions: v.pipe(v.array(TransactionSchema), v.maxLength(MAX_LOGGED_TRANSACTIONS)),
    }),
    recent: v.pipe(v.array(DeliveredSchema), v.maxLength(1_000)),
    status: OwnerStatusSchema,
  }),
  v.object({ t: v.literal('change'), transaction: TransactionSchema }),
  v.object({ t: v.literal('status'), status: OwnerStatusSchema }),
  v.object({ t: v.literal('result'), id: CountSchema, ok: v.literal(true), body: v.optional(v.unknown()) }),
  v.object({ t: v.literal('result'), id: CountSchema, ok: v.literal(false), error: ErrorBody }),
]);

const Port = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(65535));

export const WindowCall = v.variant('call', [
  v.object({
    call: v.literal('update'),
    updates: v.pipe(v.array(v.unknown()), v.maxLength(MAX_EFFECTS_PER_TRANSACTION), v.array(UpdateSchema)),
    clock: v.optional(ClockSchema),
    timeoutMs: v.optional(CountSchema),
  }),
  v.object({ call: v.literal('connectPeer'), url: Text }),
  v.object({ call: v.literal('disconnectPeer'), url: Text }),
  v.object({ call: v.literal('listen'), host: Text, port: Port }),
  v.object({ call: v.literal('stopListening') }),
]);

export const WindowMessage = v.variant('t', [
  v.object({ t: v.literal('hello'), nonce: Nonce }),
  v.object({ t: v.literal('proof'), proof: Proof }),
  v.object({ t: v.literal('request'), id: CountSchema, request: WindowCall }),
]);

export type OwnerMessageType = v.InferOutput<typeof OwnerMessage>;
export type OwnerStatus = v.InferOutput<typeof OwnerStatusSchema>;
export type StateMessage = Extract<OwnerMessageType, { t: 'state' }>;
export type WindowMessageType = v.InferOutput<typeof WindowMessage>;
export type WindowCallType = v.InferOutput<typeof WindowCall>;
/** A call as the window writes it (the owner checks it as WindowCallType). */
export type WindowCallInput = v.InferInput<typeof WindowCall>;

/** The frame as a message of `schema`, or why it is not one. */
export function readMessage<T>(schema: v.GenericSchema<unknown, T>, frame: Json): { ok: true; value: T } | { ok: false; reason: string } {
  const result = v.safeParse(schema, frame);
  return result.success ? { ok: true, value: result.output } : { ok: false, reason: `invalid message ${describeIssue(result.issues)}` };
}
