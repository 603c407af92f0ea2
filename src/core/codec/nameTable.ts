import { TYPE_NAMES, TypeName } from '../crdt/crdtType';
import { InvalidInputError } from '../errors';
import { MAX_NAME_LENGTH } from '../schemas';
import { ObjectKey, objectId } from '../transaction';
import { isReplicaId } from '../vectorClock';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';

/** How much one table may hold: both sides stop adding at the same point, so they stay in step. */
export interface TableLimits {
  readonly entries: number;
  /** Total UTF-16 units of the names held. */
  readonly chars: number;
}

/**
 * Names (replica ids, objects) that one side writes in full once and then as a number: the first
 * time a name is written it goes out whole and both sides add it to their table, in the same order,
 * so later occurrences are its index. Writer and reader of a stream (a link direction, a log
 * segment) each keep one; within `limits` both add exactly the same names, beyond them names are
 * written in full every time. `mark`/`rollback` undo the additions of a write that failed halfway,
 * which the reader never saw.
 */
export class NameTable<T> {
  /** Undefined marks a number whose definition was lost (see `skipTo`). */
  private readonly items: (T | undefined)[] = [];
  private readonly sizes: number[] = [];
  private readonly index = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly limits: TableLimits,
    private readonly keyOf: (item: T) => string,
    private readonly sizeOf: (item: T) => number,
  ) {}

  get size(): number {
    return this.items.length;
  }

  indexOf(key: string): number | undefined {
    return this.index.get(key);
  }

  at(i: number): T | undefined {
    return this.items[i];
  }

  /** Adds `item` if the limits allow it (the same decision on both sides); returns its number then. */
  add(item: T, key: string = this.keyOf(item)): number | undefined {
    const size = this.sizeOf(item);
    if (this.items.length >= this.limits.entries || this.chars + size > this.limits.chars) return undefined;
    this.index.set(key, this.items.length);
    this.items.push(item);
    this.sizes.push(size);
    this.chars += size;
    return this.items.length - 1;
  }

  /** Leaves numbers up to `size` undefined: their definitions were lost, and later ones keep their numbers. */
  skipTo(size: number): void {
    while (this.items.length < size) {
      this.items.push(undefined);
      this.sizes.push(0);
    }
  }

  mark(): number {
    return this.items.length;
  }

  rollback(mark: number): void {
    while (this.items.length > mark) {
      const item = this.items.pop();
      if (item !== undefined) this.index.delete(this.keyOf(item));
      this.chars -= this.sizes.pop() as number;
    }
  }
}

/**
 * Replica ids and objects seen on one stream. On a link a name is written in full where it first
 * appears (`inline`): the link is FIFO and closes on the first message it cannot read. In a log
 * segment each record must stay readable when another is spoiled, so a record only ever refers to
 * names by number, and the names it numbers first are collected in `pending`, for a definitions
 * frame written before it.
 */
export interface Names {
  readonly ids: NameTable<string>;
  readonly objects: NameTable<ObjectKey>;
  readonly inline: boolean;
  readonly pending: { ids: string[]; objects: ObjectKey[] };
  /**
   * The numbers of the objects written last, most recent first: a run of effects on one object, or
   * transactions that take turns between a few, skip building the object's id and looking it up.
   */
  readonly recentObjects: number[];
}

const RECENT_OBJECTS = 4;

/** Generous for any team, small enough that a hostile stream costs at most a few MB to follow. */
export const DEFAULT_LIMITS = {
  ids: { entries: 16_384, chars: 1 << 20 },
  objects: { entries: 16_384, chars: 1 << 20 },
} as const;

/** A log segment's names are its own data: they are bounded by the file, not by a table limit. */
const UNLIMITED = { entries: Infinity, chars: Infinity };

export function newNames(
  inline: boolean,
  initialIds: readonly string[] = [],
  limits = inline ? DEFAULT_LIMITS : { ids: UNLIMITED, objects: UNLIMITED },
): Names {
  const ids = new NameTable<string>(
    limits.ids,
    (id) => id,
    (id) => id.length,
  );
  for (const id of initialIds) ids.add(id);
  const objects = new NameTable<ObjectKey>(limits.objects, objectId, (o) => o.bucket.length + o.key.length);
  return { ids, objects, inline, pending: { ids: [], objects: [] }, recentObjects: new Array<number>(RECENT_OBJECTS).fill(-1) };
}

export function markNames(names: Names): [number, number] {
  return [names.ids.mark(), names.objects.mark()];
}

/** Undoes what was added since `mark`, pending definitions included. */
export function rollbackNames(names: Names, [ids, objects]: [number, number]): void {
  names.ids.rollback(ids);
  names.objects.rollback(objects);
  names.pending.ids.length = 0;
  names.pending.objects.length = 0;
}

/** 0 and the id in full the first time (or beyond the table's limits), its index + 1 after. */
export function writeReplicaId(w: ByteWriter, names: Names, id: string): void {
  const i = names.ids.indexOf(id);
  if (i !== undefined) {
    w.uvarint(i + 1);
    return;
  }
  if (!names.inline) {
    names.pending.ids.push(id);
    w.uvarint((names.ids.add(id) as number) + 1);
    return;
  }
  w.u8(0);
  w.string(id);
  names.ids.add(id);
}

export function readReplicaId(r: ByteReader, names: Names): string {
  const n = r.uvarint();
  if (n > 0) {
    const id = names.ids.at(n - 1);
    if (id === undefined) throw r.problem(`replica id number ${n} was never defined`);
    return id;
  }
  if (!names.inline) throw r.problem('a replica id written in full where only numbers are expected');
  const id = readReplicaIdText(r);
  names.ids.add(id);
  return id;
}

export function readReplicaIdText(r: ByteReader): string {
  const id = r.string();
  if (!isReplicaId(id)) throw new InvalidInputError(`${JSON.stringify(id.slice(0, 80))} is not a valid replica id`);
  return id;
}

export function writeObject(w: ByteWriter, names: Names, key: ObjectKey): void {
  const recent = names.recentObjects;
  for (let i = 0; i < recent.length; i++) {
    // Compared by content: a number may have been rolled back and given to another object since.
    const n = recent[i];
    const known = names.objects.at(n);
    if (known !== undefined && known.key === key.key && known.bucket === key.bucket && known.type === key.type) {
      if (i > 0) {
        recent.copyWithin(1, 0, i);
        recent[0] = n;
      }
      w.uvarint(n + 1);
      return;
    }
  }
  const id = objectId(key);
  const i = names.objects.indexOf(id);
  if (i !== undefined) {
    rememberObject(recent, i);
    w.uvarint(i + 1);
    return;
  }
  const copy: ObjectKey = { bucket: key.bucket, key: key.key, type: key.type };
  if (!names.inline) {
    names.pending.objects.push(copy);
    const added = names.objects.add(copy, id) as number;
    rememberObject(recent, added);
    w.uvarint(added + 1);
    return;
  }
  w.u8(0);
  writeObjectText(w, copy);
  const added = names.objects.add(copy, id);
  if (added !== undefined) rememberObject(recent, added);
}

function rememberObject(recent: number[], n: number): void {
  recent.copyWithin(1, 0, recent.length - 1);
  recent[0] = n;
}

export function writeObjectText(w: ByteWriter, key: ObjectKey): void {
  w.u8(typeIndex(key.type));
  w.string(key.bucket);
  w.string(key.key);
}

export function readObject(r: ByteReader, names: Names): ObjectKey {
  const n = r.uvarint();
  if (n > 0) {
    const key = names.objects.at(n - 1);
    if (key === undefined) throw r.problem(`object number ${n} was never defined`);
    return key;
  }
  if (!names.inline) throw r.problem('an object written in full where only numbers are expected');
  const key = readObjectText(r);
  names.objects.add(key);
  return key;
}

export function readObjectText(r: ByteReader): ObjectKey {
  const type = readTypeName(r);
  const bucket = readName(r, 'bucket');
  return { bucket, key: readName(r, 'key'), type };
}

/** The position of a type in the registry's list: written as one byte. */
export function typeIndex(type: TypeName): number {
  const i = TYPE_NAMES.indexOf(type);
  if (i < 0) throw new InvalidInputError(`unknown type ${JSON.stringify(type)}`);
  return i;
}

export function readTypeName(r: ByteReader): TypeName {
  const i = r.u8();
  if (i >= TYPE_NAMES.length) throw r.problem(`unknown type number ${i}; known types: ${TYPE_NAMES.join(', ')}`);
  return TYPE_NAMES[i];
}

/** A bucket or key name: at most MAX_NAME_LENGTH UTF-16 units, as ObjectNameSchema says. */
export function readName(r: ByteReader, what: string): string {
  const name = r.string();
  if (name.length > MAX_NAME_LENGTH) throw new InvalidInputError(`a ${what} name must be at most ${MAX_NAME_LENGTH} characters`);
  return name;
}
