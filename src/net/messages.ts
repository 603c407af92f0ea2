import * as v from 'valibot';
import {
  MAX_EFFECTS_PER_TRANSACTION,
  MAX_NAME_LENGTH,
  ClockSchema,
  CountSchema,
  JsonValueSchema,
  ObjectKeySchema,
  ReplicaIdSchema,
  UpdateSchema,
  describeIssue,
} from '../core/schemas';

/**
 * The JSON messages that cross a socket: the handshake, and client requests and answers. Each
 * inbound message is checked against these schemas before anything reads it; a message that fails
 * closes its connection (see connection.ts). Peer replication after the handshake is binary
 * (core/codec/linkCodec.ts).
 */
/**
 * 2: snapshots and large transactions travel as pieces of text (pieces.ts), so that one object may exceed a message.
 * 3: with a team secret, every frame after the handshake is sealed (secureChannel.ts).
 * 4: peer replication after the handshake is binary: names by number, clocks as their changes.
 * 5: replica display names travel between peers (the `names` message), and a transaction that
 *    follows the previous one from the same origin on a link has a one-byte head; a version-4 node,
 *    which knows neither, is refused at the handshake instead of dropping the link after it.
 */
export const PROTOCOL_VERSION = 5;
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Names are cleaned and cut where they are kept (core/replicaName.ts); this only bounds what a handshake may carry. */
const DisplayNameSchema = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH));
const Nonce = v.pipe(v.string(), v.regex(/^[0-9a-f]{32,128}$/));
const Proof = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

export const ErrorBody = v.object({
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
  displayName: v.optional(DisplayNameSchema),
  clock: v.optional(ClockSchema),
  nonce: Nonce,
  proof: v.optional(Proof),
});

/** The listening side's acceptance, with its own proof so that authentication is mutual. */
export const Welcome = v.object({
  t: v.literal('welcome'),
  id: ReplicaIdSchema,
  displayName: DisplayNameSchema,
  clock: ClockSchema,
  proof: v.optional(Proof),
});

export const Refusal = v.object({ t: v.literal('refused'), error: ErrorBody });

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
