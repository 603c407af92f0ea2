import * as v from 'valibot';
import { TYPE_NAMES } from './crdt/crdtType';
import { InvalidInputError } from './errors';
import { Json } from './json';

/**
 * The shapes of what replicas exchange and store: one definition for the wire (src/net) and the
 * log and snapshots (src/storage), so both accept exactly the same transactions and objects.
 * What a CRDT effect or state must look like inside is each type's own check (validateEffect,
 * decode); here it only has to be present.
 */
export const ReplicaIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/));
export const CountSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
export const ClockSchema = v.record(v.string(), CountSchema);
// Values come from JSON.parse, so any present value is JSON already.
export const JsonValueSchema = v.custom<Json>((input) => input !== undefined, 'missing value');
export const TypeNameSchema = v.picklist(TYPE_NAMES);
export const ObjectKeySchema = v.object({ bucket: v.string(), key: v.string(), type: TypeNameSchema });

export const TransactionSchema = v.object({
  origin: ReplicaIdSchema,
  clock: ClockSchema,
  at: v.number(),
  effects: v.array(v.object({ bucket: v.string(), key: v.string(), type: TypeNameSchema, effect: JsonValueSchema })),
});

export const StoredObjectSchema = v.object({
  bucket: v.string(),
  key: v.string(),
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
