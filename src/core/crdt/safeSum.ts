/**
 * Exact integer sums for the counters. Each term is a safe integer, but a sum of several need not
 * be: a Number would silently round, so the sum switches to BigInt as soon as it leaves the range.
 */
export type ExactInteger = number | bigint;

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** a + b exactly: a safe Number when the sum is one, a BigInt otherwise. */
export function addExact(a: ExactInteger, b: ExactInteger): ExactInteger {
  if (typeof a === 'number' && typeof b === 'number') {
    // Two safe integers: if the rounded sum is safe, the exact sum was representable, so it is exact.
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const big = BigInt(a) + BigInt(b);
  return big >= -MAX && big <= MAX ? Number(big) : big;
}

/** The exact sum of safe integers. */
export function exactSum(values: Iterable<number>): ExactInteger {
  let sum: ExactInteger = 0;
  for (const v of values) sum = addExact(sum, v);
  return sum;
}

export function isSafe(n: ExactInteger): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/** The nearest safe integer: a value beyond the range reads as its bound, the same everywhere. */
export function clampToSafe(n: ExactInteger): number {
  if (typeof n === 'number') {
    if (n > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
    if (n < -Number.MAX_SAFE_INTEGER) return -Number.MAX_SAFE_INTEGER;
    return n;
  }
  return n > MAX ? Number.MAX_SAFE_INTEGER : n < -MAX ? -Number.MAX_SAFE_INTEGER : Number(n);
}
