import { InvalidInputError } from '../errors';
import { Json, isJson } from '../json';

/** Small checks shared by the types' `validateEffect` and `decode`: untrusted data gets a clear error. */
export function expectRecord(value: Json, what: string): { [key: string]: Json } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be an object`);
  }
  return value;
}

export function expectArray(value: Json | undefined, what: string): Json[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`${what} must be an array`);
  return value;
}

export function expectString(value: Json | undefined, what: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${what} must be a string`);
  return value;
}

export function expectInteger(value: Json | undefined, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidInputError(`${what} must be an integer`);
  }
  return value;
}

export function expectStrings(value: Json | undefined, what: string): string[] {
  return expectArray(value, what).map((v, i) => expectString(v, `${what}[${i}]`));
}

export function expectJson(value: unknown, what: string): Json {
  if (value === undefined || !isJson(value)) throw new InvalidInputError(`${what} must be a JSON value`);
  return value;
}

/** A record of replica id → non-negative integer (state-based counter halves). */
export function expectCounts(value: Json | undefined, what: string): Record<string, number> {
  const rec = expectRecord(value ?? null, what);
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(rec)) {
    const count = expectInteger(n, `${what}.${id}`);
    if (count < 0) throw new InvalidInputError(`${what}.${id} must not be negative`);
    out[id] = count;
  }
  return out;
}
