import { TypeName } from '../../core/crdt/crdtType';
import { Json, canonicalJson } from '../../core/json';

/** A unique operation tag (`replica:seq:index`, made by the origin replica). */
export interface TagView {
  readonly tag: string;
  readonly replica: string;
  readonly seq: number | null;
}

/** A type's encoded internal state, read into what the panel draws. */
export type InternalView =
  | { readonly kind: 'tokens'; readonly tokens: readonly TagView[] }
  | { readonly kind: 'counts'; readonly rows: readonly { replica: string; p: number; n: number }[] }
  | { readonly kind: 'total'; readonly total: number }
  | { readonly kind: 'versions'; readonly versions: readonly { value: Json; tag: TagView }[] }
  | { readonly kind: 'tags'; readonly tagsByElement: ReadonlyMap<string, readonly TagView[]> }
  | { readonly kind: 'tombstones'; readonly removed: readonly Json[] }
  | { readonly kind: 'unreadable' };

export function parseTag(tag: string): TagView {
  const [replica, seq] = tag.split(':');
  const n = Number(seq);
  return { tag, replica, seq: Number.isSafeInteger(n) ? n : null };
}

const isRecord = (x: Json | undefined): x is { [key: string]: Json } =>
  x !== null && typeof x === 'object' && !Array.isArray(x);
const isStrings = (x: Json | undefined): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** Reads the encoding of each type in src/core/crdt; anything unexpected becomes 'unreadable'. */
export function readInternal(type: TypeName, internal: Json): InternalView {
  switch (type) {
    case 'flag_ew':
      return isStrings(internal) ? { kind: 'tokens', tokens: internal.map(parseTag) } : { kind: 'unreadable' };
    case 'counter_pn':
      return typeof internal === 'number' ? { kind: 'total', total: internal } : { kind: 'unreadable' };
    case 'counter_pn_sb': {
      if (!isRecord(internal) || !isRecord(internal.p) || !isRecord(internal.n)) return { kind: 'unreadable' };
      const p = internal.p;
      const n = internal.n;
      const replicas = [...new Set([...Object.keys(p), ...Object.keys(n)])].sort();
      const num = (x: Json | undefined) => (typeof x === 'number' ? x : 0);
      return { kind: 'counts', rows: replicas.map((replica) => ({ replica, p: num(p[replica]), n: num(n[replica]) })) };
    }
    case 'register_mv': {
      if (!Array.isArray(internal)) return { kind: 'unreadable' };
      const versions = internal.filter(isRecord).filter((v) => typeof v.tag === 'string');
      return {
        kind: 'versions',
        versions: versions.map((v) => ({ value: v.value ?? null, tag: parseTag(v.tag as string) })),
      };
    }
    case 'set_aw': {
      if (!Array.isArray(internal)) return { kind: 'unreadable' };
      const tagsByElement = new Map<string, TagView[]>();
      for (const pair of internal) {
        if (Array.isArray(pair) && pair.length === 2 && isStrings(pair[1])) {
          tagsByElement.set(canonicalJson(pair[0]), pair[1].map(parseTag));
        }
      }
      return { kind: 'tags', tagsByElement };
    }
    case 'set_2p':
      return isRecord(internal) && Array.isArray(internal.removed)
        ? { kind: 'tombstones', removed: internal.removed }
        : { kind: 'unreadable' };
  }
}
