/** A JSON value: what elements, register values, effects and encoded states are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON text with object keys sorted, so that equal values have equal text. Elements are identified
 * and ordered by this text (DESIGN.md: "arrays are sorted by canonical JSON text").
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
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

export function isJson(value: unknown): value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value).every(isJson);
  }
  return false;
}
