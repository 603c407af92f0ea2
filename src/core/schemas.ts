import * as v from 'valibot';
import { TYPE_NAMES } from './crdt/crdtType';
import { InvalidInputError } from './errors';
import { Json, MAX_DOCUMENT_DEPTH, jsonProblem } from './json';
import { MAX_CLOCK_ENTRIES, MAX_SEQUENCE, REPLICA_ID_PATTERN, VectorClock, clockProblem } from './vectorClock';

export { MAX_CLOCK_ENTRIES, MAX_SEQUENCE };

/** The longest bucket or key name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 1024;

/** The most effects (operations) one transaction may carry. */
export const MAX_EFFECTS_PER_TRANSACTION = 10_000;

/**
 * The shapes of what replicas exchange and store: one definition for the wire (src/net) and the
 * log and snapshots (src/storage), so both accept exactly the same transactions and objects.
 * What a CRDT effect or state must look like inside is each type's own check (validateEffect,
 * decode); here it must be JSON of bounded depth with finite numbers.
 */
export const ReplicaIdSchema = v.pipe(v.string(), v.regex(REPLICA_ID_PATTERN));
export const CountSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/**
 * Written by hand rather than with v.record: valibot's record silently drops the keys
 * "constructor" and "prototype", which are valid replica ids.
 */
export const ClockSchema = v.custom<VectorClock>(
  (input) => clockProblem(input) === undefined,
  (issue) => clockProblem(issue.input) ?? 'invalid clock',
);

/** Any JSON document that wraps values (effect, encoded state, message body). */
export const JsonValueSchema = v.custom<Json>(
  (input) => jsonProblem(input, MAX_DOCUMENT_DEPTH) === undefined,
  (issue) => `not an accepted JSON value: ${jsonProblem(issue.input, MAX_DOCUMENT_DEPTH) ?? 'invalid'}`,
);

export const TypeNameSchema = v.picklist(
  TYPE_NAMES,
  (issue) => `unknown type ${JSON.stringify(issue.input)}; known types: ${TYPE_NAMES.join(', ')}`,
);
/** A bucket or key name. */
export const ObjectNameSchema = v.pipe(
  v.string('must be a string'),
  v.maxLength(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`),
);
export const ObjectKeySchema = v.object({ bucket: ObjectNameSchema, key: ObjectNameSchema, type: TypeNameSchema });

/**
 * One operation on one object as a client asks for it: the one check of a client's update on the
 * wire (src/net), of each item of the CLI's `--batch`, and of the names and values in the editor's
 * command arguments. Whether the operation exists and takes these arguments is `validateOperation`'s
 * check (crdt/registry.ts), which every update goes through after this one.
 */
export const UpdateSchema = v.object({
  bucket: ObjectNameSchema,
  key: ObjectNameSchema,
  type: TypeNameSchema,
  op: v.string('must be a string'),
  args: v.optional(v.array(JsonValueSchema, 'must be an array of JSON values')),
});

const EffectSchema = v.object({
  bucket: ObjectNameSchema,
  key: ObjectNameSchema,
  type: TypeNameSchema,
  effect: JsonValueSchema,
});

export const TransactionSchema = v.object({
  origin: ReplicaIdSchema,
  clock: ClockSchema,
  at: v.pipe(v.number(), v.finite()),
  // The length is checked before any effect is looked at.
  effects: v.pipe(v.array(v.unknown()), v.maxLength(MAX_EFFECTS_PER_TRANSACTION), v.array(EffectSchema)),
});

export const StoredObjectSchema = v.object({
  bucket: ObjectNameSchema,
  key: ObjectNameSchema,
  type: TypeNameSchema,
  state: JsonValueSchema,
});

/** A readable reason for the first problem valibot found, with where it was. */
export function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return `${path ? `at ${path}: ` : ''}${issue.message}`;
}

/** Checks untrusted data against a schema; InvalidInputError naming `what` and the problem otherwise. */
export function parseWith<T>(schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new InvalidInputError(`${what} is malformed ${describeIssue(result.issues)}`);
  return result.output;
}
