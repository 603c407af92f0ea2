import { InvalidInputError } from '../errors';
import { Json, MAX_JSON_DEPTH, MAX_VALUE_BYTES, valueProblem } from '../json';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';

/**
 * JSON values in binary: a tag byte, then the content. Object keys keep their order (transactions
 * compare equal by their JSON text), integers are zigzag varints, other numbers doubles, strings
 * WTF-8 (a JavaScript string round-trips exactly, lone surrogates included).
 */
const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Integer = 3,
  Double = 4,
  String = 5,
  Array = 6,
  Object = 7,
}

export function writeJson(w: ByteWriter, value: Json): void {
  switch (typeof value) {
    case 'string':
      w.u8(Tag.String);
      w.string(value);
      return;
    case 'number':
      // -0 stays a double: as an integer it would come back as 0.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        w.u8(Tag.Integer);
        w.svarint(value);
      } else {
        w.u8(Tag.Double);
        w.f64(value);
      }
      return;
    case 'boolean':
      w.u8(value ? Tag.True : Tag.False);
      return;
    case 'object':
      if (value === null) w.u8(Tag.Null);
      else if (Array.isArray(value)) {
        w.u8(Tag.Array);
        w.uvarint(value.length);
        for (const item of value) writeJson(w, item);
      } else {
        const keys = Object.keys(value);
        w.u8(Tag.Object);
        w.uvarint(keys.length);
        for (const key of keys) {
          w.string(key);
          writeJson(w, value[key]);
        }
      }
      return;
    default:
      throw new InvalidInputError(`a ${typeof value} is not a JSON value`);
  }
}

/**
 * A JSON value nesting at most `maxDepth` levels (as jsonProblem counts them: `"x"` is 0 levels,
 * `[["x"]]` is 2), finite numbers only, no repeated object key.
 */
export function readJson(r: ByteReader, maxDepth: number): Json {
  return readValue(r, maxDepth, 0, undefined);
}

/**
 * A new element or register value: what `valueProblem` accepts, checked as it is read. The exact
 * size of its canonical JSON text is computed only when a cheap upper bound is over the limit.
 */
export function readNewValue(r: ByteReader, what: string): Json {
  const bound = { bytes: 0 };
  const value = readValue(r, MAX_JSON_DEPTH, 0, bound);
  if (bound.bytes > MAX_VALUE_BYTES) {
    const problem = valueProblem(value);
    if (problem !== undefined) throw new InvalidInputError(`${what} is not accepted: ${problem}`);
  }
  return value;
}

/** `bound`, when given, collects an upper bound of the value's canonical JSON text in bytes. */
function readValue(r: ByteReader, maxDepth: number, depth: number, bound: { bytes: number } | undefined): Json {
  const tag = r.u8();
  switch (tag) {
    case Tag.Null:
    case Tag.False:
    case Tag.True:
      if (bound) bound.bytes += 5;
      return tag === Tag.Null ? null : tag === Tag.True;
    case Tag.Integer: {
      const n = r.svarint();
      if (bound) bound.bytes += 17;
      return n;
    }
    case Tag.Double: {
      const x = r.f64();
      if (!Number.isFinite(x)) throw r.problem(`${x} is not a JSON number (numbers must be finite)`);
      if (bound) bound.bytes += 25;
      return x;
    }
    case Tag.String: {
      const start = r.offset;
      const s = r.string();
      // Escaping writes at most 6 bytes per byte read (a control character becomes \u00XX).
      if (bound) bound.bytes += 6 * (r.offset - start) + 2;
      return s;
    }
    case Tag.Array: {
      if (depth >= maxDepth) throw r.problem(`a value nests deeper than ${maxDepth} levels`);
      // Each item takes at least one byte: a count cannot promise more than what is there.
      const n = r.count(r.remaining, 'an array length');
      if (bound) bound.bytes += 2 + n;
      const out: Json[] = new Array<Json>(n);
      for (let i = 0; i < n; i++) out[i] = readValue(r, maxDepth, depth + 1, bound);
      return out;
    }
    case Tag.Object: {
      if (depth >= maxDepth) throw r.problem(`a value nests deeper than ${maxDepth} levels`);
      const n = r.count(r.remaining / 2, 'an object size');
      if (bound) bound.bytes += 2 + n;
      const out: { [key: string]: Json } = {};
      for (let i = 0; i < n; i++) {
        const start = r.offset;
        const key = r.string();
        if (bound) bound.bytes += 6 * (r.offset - start) + 3;
        if (Object.hasOwn(out, key)) throw r.problem(`an object repeats the key ${JSON.stringify(key.slice(0, 40))}`);
        const item = readValue(r, maxDepth, depth + 1, bound);
        // Assigning "__proto__" would set the prototype instead of adding a key, as JSON.parse does.
        if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
        else out[key] = item;
      }
      return out;
    }
    default:
      throw r.problem(`unknown value tag ${tag}`);
  }
}
