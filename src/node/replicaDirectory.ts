import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { Disposable, Emitter } from '../core/emitter';
import { errorMessage } from '../core/errors';
import { MAX_DISPLAY_NAME_LENGTH, MAX_REPLICA_NAMES, ReplicaName, cleanDisplayName } from '../core/replicaName';
import { CountSchema, ReplicaIdSchema, describeIssue } from '../core/schemas';
import { Log } from '../net/connection';
import { writeFileAtomicallySync } from '../storage/files';

/** Where a node keeps the names it knows, in its data directory. */
export const NAMES_FILE = 'names.json';

/**
 * While a peer stays connected, its last-seen time is renewed (and so told to other peers) at
 * most this often: "last seen" is exact when a link closes, this coarse while it is open.
 */
export const REFRESH_MS = 30_000;

/** A last-seen time further ahead of our clock than this is not believed: it would win every merge. */
export const MAX_AHEAD_MS = 10 * 60_000;

/** The file is written at most this often; closing the node writes what is left. */
const WRITE_EVERY_MS = 5_000;

/** Ten thousand names of the longest kind, in JSON, with room to spare. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

interface Entry extends ReplicaName {
  /** Our change counter when this entry last changed: what a link has not been told yet. */
  readonly seq: number;
  /** The link it came from, which need not hear it back. */
  readonly from: string | undefined;
}

/** Whether `a` replaces `b`: the later sighting, ties broken by name then observer, the same way everywhere. */
function supersedes(a: ReplicaName, b: ReplicaName): boolean {
  if (a.lastSeen !== b.lastSeen) return a.lastSeen > b.lastSeen;
  if (a.displayName !== b.displayName) return a.displayName > b.displayName;
  return a.seenBy > b.seenBy;
}

/**
 * The display names of the replicas this node has heard of, with when and by whom each was last
 * seen connected (docs/architecture.md, "Replica names"). Pure: the links feed it what they see
 * and hear, `DirectoryFile` keeps it on disk. Names are display only: anyone with the team secret
 * can claim any name for any id, so they are cleaned and bounded, never our own id's, and never
 * dated far in our future.
 */
export class ReplicaDirectory {
  private readonly entries = new Map<string, Entry>();
  private changeCount = 0;
  private readonly changes = new Emitter<void>();

  constructor(
    readonly selfId: string,
    initial: readonly ReplicaName[] = [],
  ) {
    this.merge(initial, undefined, Number.MAX_SAFE_INTEGER);
  }

  /** Counts changes: `changedSince` this value gives what changed after now. */
  get sequence(): number {
    return this.changeCount;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): ReplicaName | undefined {
    const entry = this.entries.get(id);
    return entry && strip(entry);
  }

  list(): ReplicaName[] {
    return [...this.entries.values()].map(strip);
  }

  onChanged(listener: () => void): Disposable {
    return this.changes.on(listener);
  }

  /**
   * A replica connected to us directly, under the name its handshake gave (undefined: none, the
   * name we knew stays). Our own sighting replaces what others said; it is renewed only every
   * REFRESH_MS unless `force` (the link just opened or closed). Returns whether anything changed.
   */
  observe(id: string, displayName: string | undefined, now: number, force = false): boolean {
    if (id === this.selfId) return false;
    const previous = this.entries.get(id);
    const name = (displayName === undefined ? '' : cleanDisplayName(displayName)) || previous?.displayName || '';
    if (
      previous &&
      !force &&
      previous.seenBy === this.selfId &&
      previous.displayName === name &&
      previous.lastSeen <= now &&
      now - previous.lastSeen < REFRESH_MS
    ) {
      return false;
    }
    // Later than anything said before, so that peers take it over what they heard elsewhere.
    const lastSeen = previous && previous.lastSeen >= now ? previous.lastSeen + 1 : now;
    this.set({ id, displayName: name, lastSeen, seenBy: this.selfId }, undefined);
    this.changes.emit();
    return true;
  }

  /** Names a peer told us (over link `from`); returns whether anything changed. */
  merge(names: readonly ReplicaName[], from: string | undefined, now: number): boolean {
    let changed = false;
    for (const name of names) {
      if (name.id === this.selfId || name.lastSeen > now + MAX_AHEAD_MS) continue;
      const candidate = { id: name.id, displayName: cleanDisplayName(name.displayName), lastSeen: name.lastSeen, seenBy: name.seenBy };
      const previous = this.entries.get(name.id);
      if (previous && !supersedes(candidate, previous)) continue;
      this.set(candidate, from);
      changed = true;
    }
    if (!changed) return false;
    this.prune();
    this.changes.emit();
    return true;
  }

  /**
   * What changed after `since` (a `sequence`), for one link: without what it told us itself and
   * without its own entry, which it knows best.
   */
  changedSince(since: number, peerId: string, link: string): ReplicaName[] {
    const out: ReplicaName[] = [];
    for (const entry of this.entries.values()) {
      if (entry.seq > since && entry.id !== peerId && entry.from !== link) out.push(strip(entry));
    }
    return out;
  }

  private set(name: ReplicaName, from: string | undefined): void {
    // Re-inserted so that the map stays in change order.
    this.entries.delete(name.id);
    this.entries.set(name.id, { ...name, seq: ++this.changeCount, from });
  }

  /** Beyond MAX_REPLICA_NAMES, the replicas seen longest ago are forgotten. */
  private prune(): void {
    const excess = this.entries.size - MAX_REPLICA_NAMES;
    if (excess <= 0) return;
    const oldest = [...this.entries.values()].sort((a, b) => a.lastSeen - b.lastSeen).slice(0, excess);
    for (const entry of oldest) this.entries.delete(entry.id);
  }
}

function strip({ id, displayName, lastSeen, seenBy }: Entry): ReplicaName {
  return { id, displayName, lastSeen, seenBy };
}

/** Whether and how a replica is reachable now. */
export type Online = 'direct' | 'via-peer' | 'offline';

/** One replica this node knows of, for the editor's views (MinidoteNode.replicas). */
export interface ReplicaPresence {
  readonly id: string;
  /** Its display name, or its id when none is known. */
  readonly displayName: string;
  readonly online: Online;
  /** The direct peers that say they are connected to it, when it is online through them. */
  readonly via: readonly { readonly id: string; readonly displayName: string }[];
  /** When a replica last had it connected directly (ms since the epoch); null when never told. */
  readonly lastSeen: number | null;
  /** Which replica saw it then. */
  readonly seenBy: string | null;
}

/** What the links know right now: direct peers, and which of them say they reach whom. */
export interface Reachability {
  readonly direct: ReadonlySet<string>;
  /** Replica id → the direct peers connected to it. */
  readonly via: ReadonlyMap<string, readonly string[]>;
}

/**
 * Every replica the directory or the links know of, except this one, sorted by id: online
 * directly, online through a direct peer, or offline with when it was last seen.
 */
export function presence(directory: ReplicaDirectory, reach: Reachability): ReplicaPresence[] {
  const ids = new Set([...directory.list().map((n) => n.id), ...reach.direct, ...reach.via.keys()]);
  ids.delete(directory.selfId);
  const nameOf = (id: string) => directory.get(id)?.displayName || id;
  return [...ids].sort().map((id) => {
    const known = directory.get(id);
    const through = reach.direct.has(id) ? [] : (reach.via.get(id) ?? []);
    return {
      id,
      displayName: nameOf(id),
      online: reach.direct.has(id) ? 'direct' : through.length > 0 ? 'via-peer' : 'offline',
      via: through.map((peer) => ({ id: peer, displayName: nameOf(peer) })),
      lastSeen: known?.lastSeen ?? null,
      seenBy: known?.seenBy ?? null,
    };
  });
}

const NamesFileSchema = v.object({
  format: v.literal('minidote-names'),
  version: v.literal(1),
  replicas: v.pipe(
    v.array(v.unknown()),
    v.maxLength(MAX_REPLICA_NAMES),
    v.array(
      v.object({
        id: ReplicaIdSchema,
        displayName: v.pipe(v.string(), v.maxLength(MAX_DISPLAY_NAME_LENGTH)),
        lastSeen: CountSchema,
        seenBy: ReplicaIdSchema,
      }),
    ),
  ),
});

/**
 * The names kept in `dir` by an earlier run; none when there is no file. A file that cannot be
 * read or does not hold exactly what DirectoryFile writes is ignored with a warning: names come
 * back from peers.
 */
export function loadReplicaNames(dir: string, log: Log): ReplicaName[] {
  const path = join(dir, NAMES_FILE);
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) throw new Error(`${bytes.length} bytes is more than a names file holds`);
    text = bytes.toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log('warn', `ignored ${path}: ${errorMessage(error)}`);
    return [];
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    log('warn', `ignored ${path}: not JSON`);
    return [];
  }
  const parsed = v.safeParse(NamesFileSchema, raw);
  if (!parsed.success) {
    log('warn', `ignored ${path}: ${describeIssue(parsed.issues)}`);
    return [];
  }
  return parsed.output.replicas;
}

/**
 * Keeps a directory in `dir`/names.json: written whole and atomically, at most every few seconds
 * while names change, and once more on close. Written synchronously (a small file, seldom): the
 * last write is on disk before the node lets go of its data directory, without yielding to
 * whatever waits for that. A failed write is logged and tried again on the next change: names are
 * a convenience, never a reason to stop.
 */
export class DirectoryFile {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly subscription: Disposable;

  constructor(
    private readonly dir: string,
    private readonly directory: ReplicaDirectory,
    private readonly log: Log,
  ) {
    this.subscription = directory.onChanged(() => this.schedule());
  }

  /** Writes what is pending and stops following the directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription.dispose();
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.write();
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, WRITE_EVERY_MS);
    this.timer.unref();
  }

  private write(): void {
    const path = join(this.dir, NAMES_FILE);
    try {
      const text = JSON.stringify({ format: 'minidote-names', version: 1, replicas: this.directory.list() });
      writeFileAtomicallySync(path, Buffer.from(text, 'utf8'));
    } catch (error) {
      this.log('warn', `could not keep replica names in ${path}: ${errorMessage(error)}`);
    }
  }
}
