import { InvalidInputError } from './errors';

/** A JSON value: what elements, register values, effects and encoded states are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * How deeply an element or register value may nest (`"x"` is 0 levels, `[["x"]]` is 2). Far more
 * than any real value needs, and small enough that code walking a value recursively is safe.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply a document that wraps values may nest: an effect, an encoded state, a message body.
 * The wrappers add at most a few levels around a value of MAX_JSON_DEPTH (a set_aw effect puts an
 * element 3 levels down, a read result 3 levels down), so every valid value fits in any of them.
 */
export const MAX_DOCUMENT_DEPTH = MAX_JSON_DEPTH + 8;

/** The largest canonical JSON text, in UTF-8 bytes, of one element or register value. */
export const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Why `value` is not a JSON value nesting at most `maxDepth` levels, or undefined when it is one.
 * Accepts finite numbers only (JSON.parse("1e999") gives Infinity) and plain objects and arrays
 * without holes. Iterative, so a hostile value cannot overflow the stack.
 */
export function jsonProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  const pending: unknown[] = [value];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const x = pending.pop();
    const depth = depths.pop() as number;
    if (x === null || typeof x === 'string' || typeof x === 'boolean') continue;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) return `${x} is not a JSON number (numbers must be finite)`;
      continue;
    }
    if (typeof x !== 'object') return `${x === undefined ? 'a missing value' : `a ${typeof x}`} is not a JSON value`;
    // `x` opens level depth + 1.
    if (depth >= maxDepth) return `it nests deeper than ${maxDepth} levels`;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        pending.push(x[i]);
        depths.push(depth + 1);
      }
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) return 'only plain objects and arrays are JSON values';
    const record = x as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      pending.push(record[key]);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/**
 * A JSON value nesting at most MAX_JSON_DEPTH levels. One parameter only, so that
 * `values.every(isJson)` cannot pass an index as a depth.
 */
export function isJson(value: unknown): value is Json {
  return jsonProblem(value, MAX_JSON_DEPTH) === undefined;
}

/**
 * Why `value` cannot be an element or register value (not bounded JSON, or its canonical text
 * is over MAX_VALUE_BYTES), or undefined when it can.
 */
export function valueProblem(value: unknown): string | undefined {
  const problem = jsonProblem(value, MAX_JSON_DEPTH);
  return problem ?? valueTextProblem(canonicalJson(value as Json));
}

/** Why a bounded JSON value with this canonical text cannot be an element or register value. */
export function valueTextProblem(text: string): string | undefined {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most texts need no counting.
  if (text.length * 3 <= MAX_VALUE_BYTES) return undefined;
  const bytes = utf8Length(text);
  return bytes > MAX_VALUE_BYTES ? `its JSON text is ${bytes} bytes, over the limit of ${MAX_VALUE_BYTES}` : undefined;
}

/** Parses JSON text from outside (CLI, files) into a bounded JSON value; InvalidInputError otherwise. */
export function parseJsonText(text: string, what: string, maxDepth: number = MAX_DOCUMENT_DEPTH): Json {
  let value: unknown;
  try {
    // V8's JSON.parse is not recursive: the depth check below is what protects later code.
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const problem = jsonProblem(value, maxDepth);
  if (problem !== undefined) throw new InvalidInputError(`${what} is not accepted: ${problem}`);
  return value as Json;
}

/**
 * JSON text with object keys sorted, so that equal values have equal text. Elements are identified
 * and ordered by this text (docs/architecture.md, "CRDT types": "arrays are sorted by canonical JSON text"). Recursion is
 * bounded: a value deeper than MAX_DOCUMENT_DEPTH (which no validated value is) is refused.
 */
export function canonicalJson(value: Json): string {
  return canonicalText(value, 0);
}

function canonicalText(value: Json, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (depth >= MAX_DOCUMENT_DEPTH) throw new InvalidInputError(`a JSON value nests deeper than ${MAX_DOCUMENT_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalText(item, depth + 1)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(value[k], depth + 1)}`).join(',')}}`;
}

export function compareCanonical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Values sorted by canonical text, duplicates removed. */
export function sortedUnique(values: Iterable<Json>): Json[] {
  const byText = new Map<string, Json>();
  for (const v of values) byText.set(canonicalJson(v), v);
  return [...byText.keys()].sort(compareCanonical).map((k) => byText.get(k) as Json);
}

/** UTF-8 length of a string, without Buffer or TextEncoder (core also runs in a browser). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
