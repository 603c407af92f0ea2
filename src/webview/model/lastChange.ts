import type { Family } from '../../core/crdt/crdtType';
import type { Json } from '../../core/json';
import type { VectorClock } from '../../core/vectorClock';

/** One change to an object as the panel and the tree show it: the author already named. */
export interface ChangeView {
  readonly origin: string;
  /** The author's display name where this node knows it, else the replica id. */
  readonly author: string;
  readonly at: number;
  readonly clock: VectorClock;
  /** What it did ("enabled", "added \"x\"", "+5"). */
  readonly op: string;
}

/** The newest change and the concurrent ones it did not see. */
export interface LastChangeView extends ChangeView {
  readonly concurrent: readonly ChangeView[];
}

/** A change's sequence number at its origin, which names it with the origin. */
export function sequenceOfChange(change: Pick<ChangeView, 'origin' | 'clock'>): number {
  return change.clock[change.origin] ?? 0;
}

/**
 * "enabled by Alice, 10:42", then one sentence per concurrent change: for a flag, who lost ("Bob's
 * concurrent disable lost: enable wins"); for a register, that both values are kept.
 */
export function lastChangeText(change: LastChangeView, family: Family, value: Json, time: (at: number) => string): string {
  const head = `${change.op} by ${change.author}, ${time(change.at)}`;
  if (change.concurrent.length === 0) return head;
  const all = [change, ...change.concurrent];
  const others = change.concurrent.map((c) => c.author).join(', ');
  switch (family) {
    case 'flag': {
      const winner = value === true ? 'enable' : 'disable';
      const losers = all.filter((c) => c.op !== `${winner}d`);
      if (losers.length === 0) return `${head} (concurrently with ${others})`;
      return `${head}. ${losers.map((c) => `${c.author}'s concurrent ${c.op === 'enabled' ? 'enable' : 'disable'}`).join(' and ')} lost: ${winner} wins`;
    }
    case 'register':
      return `${head}. Concurrent with ${change.concurrent.map((c) => `${c.author} (${c.op})`).join(', ')}: all values kept`;
    default:
      return `${head}. Concurrent with ${change.concurrent.map((c) => `${c.author} (${c.op})`).join(', ')}`;
  }
}

/** Which replica each named author is, one per line ("Alice: alice"), for a tooltip; empty when all go by their id. */
export function authorIds(change: LastChangeView): string {
  const lines = [change, ...change.concurrent].filter((c) => c.author !== c.origin).map((c) => `${c.author}: ${c.origin}`);
  return [...new Set(lines)].join('\n');
}
