import type { Json } from '../json';

/** A unique operation tag (`replica:seq:index`, minted by the origin replica), split for display. */
export interface TagDescription {
  readonly tag: string;
  readonly replica: string;
  readonly seq: number | null;
}

/**
 * A type's internal state in terms any user interface can draw: what makes the value what it is
 * (live enable tokens, per-replica counts, concurrent versions, tags per element, tombstones).
 * Each type's descriptor builds it from a decoded state.
 */
export type StateDescription =
  | { readonly kind: 'tokens'; readonly tokens: readonly TagDescription[] }
  | { readonly kind: 'counts'; readonly rows: readonly { replica: string; p: number; n: number }[] }
  /** `replica: null` is a total carried over from a state written before contributions were kept apart. */
  | { readonly kind: 'contributions'; readonly rows: readonly { replica: string | null; amount: number }[] }
  | { readonly kind: 'versions'; readonly versions: readonly { value: Json; tag: TagDescription }[] }
  | { readonly kind: 'tags'; readonly tagsByElement: ReadonlyMap<string, readonly TagDescription[]> }
  | { readonly kind: 'tombstones'; readonly removed: readonly Json[] }
  | { readonly kind: 'unreadable' };

/** Lenient on purpose: a tag it cannot split still shows, as its own replica without a number. */
export function describeTag(tag: string): TagDescription {
  const [replica, seq] = tag.split(':');
  const n = Number(seq);
  return { tag, replica, seq: Number.isSafeInteger(n) ? n : null };
}
