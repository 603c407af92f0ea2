import { VectorClock, entry } from '../core/vectorClock';

/** Pointwise minimum: what every one of these peers is known to have delivered. */
export function minimumClock(clocks: readonly VectorClock[]): VectorClock {
  if (clocks.length === 0) return {};
  const ids = new Set(clocks.flatMap((c) => Object.keys(c)));
  const out: Record<string, number> = {};
  for (const id of ids) {
    const least = Math.min(...clocks.map((c) => entry(c, id)));
    if (least > 0) out[id] = least;
  }
  return out;
}
