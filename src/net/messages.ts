import * as v from 'valibot';
import { MinidoteError } from '../core/errors';
import {
  MAX_EFFECTS_PER_TRANSACTION,
  ClockSchema,
  CountSchema,
  JsonValueSchema,
  ObjectKeySchema,
  ReplicaIdSchema,
  StoredObjectSchema,
  TransactionSchema,
  UpdateSchema,
  describeIssue,
} from '../core/schemas';

/**
 * Every message that crosses a socket, peer replication and client requests alike. Each inbound
 * message is checked against these schemas before anything reads it; a message that fails closes
 * its connection (see connection.ts).
 */
/**
 * 2: snapshots and large transactions travel as pieces of text (pieces.ts), so that one object may exceed a message.
 * 3: with a team secret, every frame after the handshake is sealed (secureChannel.ts).
 */
export const PROTOCOL_VERSION = 3;
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const Nonce = v.pipe(v.string(), v.regex(/^[0-9a-f]{32,128}$/));
const Proof = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

const ErrorBody = v.object({
  kind: v.picklist(['invalid', 'rejected', 'unavailable', 'storage', 'protocol', 'unknown']),
  message: v.string(),
});

/** Sent by the listening side as soon as a socket opens. */
export const Challenge = v.object({
  t: v.literal('challenge'),
  protocol: v.number(),
  nonce: Nonce,
  auth: v.boolean(),
});

/** The connecting side's answer: who it is, and proof that it knows the secret. */
export const Hello = v.object({
  t: v.literal('hello'),
  protocol: v.number(),
  role: v.picklist(['peer', 'client']),
  id: v.optional(ReplicaIdSchema),
  displayName: v.optional(v.string()),
  clock: v.optional(ClockSchema),
  nonce: Nonce,
  proof: v.optional(Proof),
});

/** The listening side's acceptance, with its own proof so that authentication is mutual. */
export const Welcome = v.object({
  t: v.literal('welcome'),
  id: ReplicaIdSchema,
  displayName: v.string(),
  clock: ClockSchema,
  proof: v.optional(Proof),
});

export const Refusal = v.object({ t: v.literal('refused'), error: ErrorBody });

export const TxnsMessage = v.object({ t: v.literal('txns'), txns: v.array(TransactionSchema) });

/** What a snapshot's pieces join into. */
export const SnapshotSchema = v.object({ clock: ClockSchema, objects: v.array(StoredObjectSchema) });

/** Peer replication, after the handshake. */
export const PeerMessage = v.variant('t', [
  TxnsMessage,
  /** A piece of a txns message too large for one message; the receiver handles it after the last one. */
  v.object({ t: v.literal('txnsPart'), data: v.string(), last: v.boolean() }),
  /** A piece of a snapshot's JSON text (SnapshotSchema); the receiver installs after the last one. */
  v.object({ t: v.literal('snapshotPart'), data: v.string(), last: v.boolean() }),
  v.object({ t: v.literal('clock'), clock: ClockSchema }),
]);

export const ClientRequest = v.variant('t', [
  v.object({
    t: v.literal('read'),
    id: v.number(),
    keys: v.array(ObjectKeySchema),
    clock: v.optional(ClockSchema),
    timeoutMs: v.optional(CountSchema),
  }),
  v.object({
    t: v.literal('update'),
    id: v.number(),
    updates: v.pipe(v.array(v.unknown()), v.maxLength(MAX_EFFECTS_PER_TRANSACTION), v.array(UpdateSchema)),
    clock: v.optional(ClockSchema),
    timeoutMs: v.optional(CountSchema),
  }),
  v.object({ t: v.literal('status'), id: v.number() }),
]);

export const ClientResponse = v.variant('t', [
  v.object({ t: v.literal('result'), id: v.number(), ok: v.literal(true), body: JsonValueSchema }),
  v.object({ t: v.literal('result'), id: v.number(), ok: v.literal(false), error: ErrorBody }),
]);

export type HelloMessage = v.InferOutput<typeof Hello>;
export type WelcomeMessage = v.InferOutput<typeof Welcome>;
export type PeerMessageType = v.InferOutput<typeof PeerMessage>;
export type TxnsMessageType = v.InferOutput<typeof TxnsMessage>;
export type ClientRequestType = v.InferOutput<typeof ClientRequest>;
export type ErrorBodyType = v.InferOutput<typeof ErrorBody>;

export type Schema<T> = v.GenericSchema<unknown, T>;

/** Parses JSON text against a schema; returns a readable reason instead of throwing. */
export function decode<T>(schema: Schema<T>, text: string): { ok: true; value: T } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, reason: `invalid message ${describeIssue(result.issues)}` };
}

/** Like decode, for text assembled from pieces: throws (kind 'protocol') naming `what`. */
export function decodeOrThrow<T>(schema: Schema<T>, text: string, what: string): T {
  const result = decode(schema, text);
  if (!result.ok) throw new MinidoteError('protocol', `${what}: ${result.reason}`);
  return result.value;
}
