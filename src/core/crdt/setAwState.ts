import { Json, canonicalJson, compareCanonical } from '../json';

/**
 * The unique tags of an element's live adds: the one tag of the common single add inline, a Set
 * only while concurrent adds left several. A Set costs about 150 bytes, an element alone far less.
 */
export type ElementTags = string | Set<string>;

interface OtherElement {
  readonly value: Json;
  tags: ElementTags;
}

/** One element as the whole-state operations see it. */
export interface SetAwEntry {
  /** Canonical JSON text: what identifies and orders elements. */
  readonly key: string;
  readonly value: Json;
  readonly tags: ElementTags;
}

export function tagList(tags: ElementTags): string[] {
  return typeof tags === 'string' ? [tags] : [...tags];
}

export function hasTag(tags: ElementTags, tag: string): boolean {
  return typeof tags === 'string' ? tags === tag : tags.has(tag);
}

/** Tags from a list (decoded or filtered), or undefined when it is empty. */
export function tagsFrom(list: readonly string[]): ElementTags | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const set = new Set(list);
  return set.size === 1 ? list[0] : set;
}

function withTag(tags: ElementTags, tag: string): ElementTags {
  if (typeof tags !== 'string') return tags.add(tag);
  return tags === tag ? tags : new Set([tags, tag]);
}

/** What is left once `retired` are gone; undefined when nothing is. */
function withoutTags(tags: ElementTags, retired: readonly string[]): ElementTags | undefined {
  if (typeof tags === 'string') return retired.includes(tags) ? undefined : tags;
  for (const t of retired) tags.delete(t);
  if (tags.size > 1) return tags;
  return tags.size === 1 ? (tags.values().next().value as string) : undefined;
}

/**
 * The live elements of an add-wins set. String elements, by far the most common, are keyed by
 * themselves (a string's canonical text is a one-to-one function of it), so neither applying an
 * effect nor holding the element needs their canonical text; other values are keyed by it.
 */
export class SetAwState {
  private readonly strings = new Map<string, ElementTags>();
  private readonly others = new Map<string, OtherElement>();

  get size(): number {
    return this.strings.size + this.others.size;
  }

  tagsOf(element: Json): ElementTags | undefined {
    return typeof element === 'string' ? this.strings.get(element) : this.others.get(canonicalJson(element))?.tags;
  }

  /** The element as held (an object value keeps the key order it was first added with). */
  heldValue(element: Json): Json {
    return typeof element === 'string' ? element : (this.others.get(canonicalJson(element)) as OtherElement).value;
  }

  add(element: Json, tag: string): void {
    if (typeof element === 'string') {
      const tags = this.strings.get(element);
      this.strings.set(element, tags === undefined ? tag : withTag(tags, tag));
      return;
    }
    const key = canonicalJson(element);
    const held = this.others.get(key);
    if (held) held.tags = withTag(held.tags, tag);
    else this.others.set(key, { value: element, tags: tag });
  }

  /** Retires the given tags of an element; it leaves the set when no tag is left. */
  retire(element: Json, retired: readonly string[]): void {
    if (typeof element === 'string') {
      const tags = this.strings.get(element);
      if (tags === undefined) return;
      const left = withoutTags(tags, retired);
      if (left === undefined) this.strings.delete(element);
      else if (left !== tags) this.strings.set(element, left);
      return;
    }
    const key = canonicalJson(element);
    const held = this.others.get(key);
    if (!held) return;
    const left = withoutTags(held.tags, retired);
    if (left === undefined) this.others.delete(key);
    else held.tags = left;
  }

  /** Puts a whole element in place (decode, join): `tags` is not shared with any other state. */
  put(key: string, value: Json, tags: ElementTags): void {
    if (typeof value === 'string') this.strings.set(value, tags);
    else this.others.set(key, { value, tags });
  }

  /** Every element with its canonical key, in no particular order. */
  entries(): SetAwEntry[] {
    const out: SetAwEntry[] = [];
    for (const [value, tags] of this.strings) out.push({ key: JSON.stringify(value), value, tags });
    for (const [key, { value, tags }] of this.others) out.push({ key, value, tags });
    return out;
  }

  /** Every element with its canonical key, ordered by it. */
  sortedEntries(): SetAwEntry[] {
    return this.entries().sort((x, y) => compareCanonical(x.key, y.key));
  }

  values(): Json[] {
    return [...this.strings.keys(), ...[...this.others.values()].map((e) => e.value)];
  }

  clone(): SetAwState {
    const copy = new SetAwState();
    for (const [value, tags] of this.strings) copy.strings.set(value, typeof tags === 'string' ? tags : new Set(tags));
    for (const [key, { value, tags }] of this.others)
      copy.others.set(key, { value, tags: typeof tags === 'string' ? tags : new Set(tags) });
    return copy;
  }
}
