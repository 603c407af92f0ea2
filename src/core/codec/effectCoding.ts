import { InvalidInputError } from '../errors';
import { Json, MAX_JSON_DEPTH } from '../json';
import { MAX_SEQUENCE, VectorClock, entry } from '../vectorClock';
import { ByteReader } from './byteReader';
import { ByteWriter } from './byteWriter';
import { readJson, readNewValue, writeJson } from './jsonCoding';
import { Names, readReplicaId, writeReplicaId } from './nameTable';

/**
 * A CRDT type's compact binary form of its effects (each type defines its own next to its
 * behaviour, as its `codec` member). `decode` reads what `encode` wrote and must return exactly
 * what the type's `validateEffect` accepts, checking as it reads (the EffectReader's methods do
 * the checks that `validateEffect` would); anything else is an InvalidInputError. An effect that
 * `validateEffect` refuses cannot be encoded either. Fields `apply` does not read are not kept.
 */
export interface EffectCodec {
  encode(effect: Json, out: EffectWriter): void;
  decode(input: EffectReader): Json;
}

/** The largest operation index a tag may carry (`parseTag`: up to nine digits). */
const MAX_TAG_INDEX = 999_999_999;

/** The transaction an effect belongs to: its tags are written relative to it. */
class TransactionFrame {
  origin = '';
  seq = 0;
  clock: VectorClock = {};
  private prefix: string | undefined;

  set(origin: string, seq: number, clock: VectorClock): void {
    this.origin = origin;
    this.seq = seq;
    this.clock = clock;
    this.prefix = undefined;
  }

  /** `${origin}:${seq}:`, the start of every tag this transaction mints (made when first needed). */
  get ownPrefix(): string {
    this.prefix ??= `${this.origin}:${this.seq}:`;
    return this.prefix;
  }
}

/**
 * What a type's `encode` writes with. Tags are the bulk of most effects: a tag the transaction
 * mints is written as its operation index alone, any other as a replica id from the stream's table,
 * its sequence number as a difference from the transaction's clock entry for that replica, and
 * its index.
 */
export class EffectWriter {
  private readonly frame = new TransactionFrame();

  constructor(
    readonly w: ByteWriter,
    private readonly names: Names,
  ) {}

  begin(origin: string, seq: number, clock: VectorClock): void {
    this.frame.set(origin, seq, clock);
  }

  get origin(): string {
    return this.frame.origin;
  }

  json(value: Json): void {
    writeJson(this.w, value);
  }

  count(n: number): void {
    this.w.uvarint(n);
  }

  ownTag(tag: Json | undefined): void {
    const { ownPrefix } = this.frame;
    if (typeof tag !== 'string' || !tag.startsWith(ownPrefix))
      throw new InvalidInputError(`tag ${String(tag)} was not minted by this transaction`);
    this.w.uvarint(tagIndex(tag, ownPrefix.length));
  }

  tag(tag: Json): void {
    if (typeof tag !== 'string') throw new InvalidInputError('a tag must be a string');
    const last = tag.lastIndexOf(':');
    const middle = tag.lastIndexOf(':', last - 1);
    const id = tag.slice(0, middle);
    const seq = Number(tag.slice(middle + 1, last));
    const index = tagIndex(tag, last + 1);
    // Only a tag in its one canonical spelling survives the round trip unchanged.
    if (middle <= 0 || !Number.isSafeInteger(seq) || seq < 1 || `${id}:${seq}:${index}` !== tag) {
      throw new InvalidInputError(`${JSON.stringify(tag)} is not a tag`);
    }
    writeReplicaId(this.w, this.names, id);
    this.w.svarint(entry(this.frame.clock, id) - seq);
    this.w.uvarint(index);
  }

  tags(tags: Json | undefined): void {
    if (!Array.isArray(tags)) throw new InvalidInputError('tags must be a list');
    this.w.uvarint(tags.length);
    for (const tag of tags) this.tag(tag);
  }
}

/** What a type's `decode` reads with: each method refuses what `validateEffect` would refuse. */
export class EffectReader {
  private readonly frame = new TransactionFrame();

  constructor(
    /** Where the effect is read from (the transaction reader moves it from message to message). */
    public r: ByteReader,
    private readonly names: Names,
  ) {}

  begin(origin: string, seq: number, clock: VectorClock): void {
    this.frame.set(origin, seq, clock);
  }

  get origin(): string {
    return this.frame.origin;
  }

  /** Any JSON value of bounded depth (an element a remove names, maybe stored before the size limit). */
  json(): Json {
    return readJson(this.r, MAX_JSON_DEPTH);
  }

  /** A new element or register value: bounded depth and size (`expectValue`). */
  newValue(what: string): Json {
    return readNewValue(this.r, what);
  }

  /** A list length: each item takes at least one byte, so it cannot exceed what is left. */
  count(what: string): number {
    return this.r.count(this.r.remaining, what);
  }

  ownTag(): string {
    return this.frame.ownPrefix + this.r.count(MAX_TAG_INDEX, 'a tag index');
  }

  tag(): string {
    const id = readReplicaId(this.r, this.names);
    const seq = entry(this.frame.clock, id) - this.r.svarint();
    if (!(seq >= 1 && seq <= MAX_SEQUENCE)) throw this.r.problem(`a tag with sequence number ${seq}`);
    return `${id}:${seq}:${this.r.count(MAX_TAG_INDEX, 'a tag index')}`;
  }

  tags(): string[] {
    const n = this.count('a tag list length');
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.tag();
    return out;
  }
}

/** The operation index at the end of a tag, from `start`: up to nine digits without a leading zero. */
function tagIndex(tag: string, start: number): number {
  const length = tag.length - start;
  let index = 0;
  for (let i = start; i < tag.length; i++) {
    const digit = tag.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) index = NaN;
    index = index * 10 + digit;
  }
  if (!(length >= 1 && length <= 9 && index >= 0) || (length > 1 && tag.charCodeAt(start) === 48)) {
    throw new InvalidInputError(`${JSON.stringify(tag)} is not a tag`);
  }
  return index;
}
