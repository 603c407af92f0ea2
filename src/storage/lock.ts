import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { MinidoteError, errorMessage } from '../core/errors';
import { diskError } from './files';

const LOCK_FILE = 'lock';

/** How often the holder refreshes its lock; another process judges it by this rhythm. */
export const LOCK_HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this many heartbeats is stale, wherever its holder runs. */
const LEASE_HEARTBEATS = 3;
/** Leases longer than this in a lock file are not believed (a damaged file must not lock forever). */
const MAX_LEASE_MS = 10 * 60_000;

/** Where a process runs: pids of two processes can only be compared when this is the same. */
interface ProcessPlace {
  readonly host: string;
  /** /proc/sys/kernel/random/boot_id: pids start over at every boot. */
  readonly bootId: string | null;
  /** readlink /proc/self/ns/pid: containers have their own pid numbering. */
  readonly pidNamespace: string | null;
}

/** The holder of a lock as its lock file describes it. */
export interface LockHolder extends ProcessPlace {
  readonly pid: number;
  /** Tells apart two holders that had the same pid. */
  readonly token: string;
  /** The holder refreshes the file's modification time at least this often... */
  readonly heartbeatMs: number;
  /** ...and it is stale once not refreshed for this long. */
  readonly leaseMs: number;
}

/** Another process (or this one) has the data directory open. */
export class StorageLockedError extends MinidoteError {
  constructor(
    readonly dir: string,
    /** The holder's pid in its own pid namespace; undefined when the lock file does not say. */
    readonly holderPid: number | undefined,
    readonly holder: LockHolder | undefined,
    message: string,
  ) {
    super('storage', message);
  }
}

export interface DirectoryLock {
  /**
   * Throws when the lock is no longer this process's (another process took it over after this one
   * stopped refreshing it, for longer than the lease): writing on would mix two writers' logs.
   * Cheap while the heartbeat is on time; otherwise re-reads the lock file.
   */
  check(): void;
  /** Called once, from the heartbeat, when the lock turns out to be lost. */
  onLost(listener: (error: MinidoteError) => void): void;
  release(): void;
}

export interface LockOptions {
  /** How often to refresh the lock (tests shorten it); the lease is three times as long. */
  heartbeatMs?: number;
  /** Told when a stale lock is taken over, and whose it was. */
  report?: (message: string) => void;
}

/**
 * Tokens of the locks this process holds. By token, not by path: the same directory reached
 * through another path (a symbolic link) is still ours.
 */
const heldHere = new Set<string>();

/**
 * Takes `dir/lock`. The file names its holder (pid, the pid namespace and boot it belongs to, host
 * name, a random token) and is written under a private name, then hard-linked into place, so it
 * appears whole or not at all and only one of several racing processes creates it. The holder
 * refreshes the file's modification time every heartbeat. An existing lock is stale, and taken
 * over, only when its holder is known dead (same host, boot and pid namespace as ours, pid not
 * running) or when it has not been refreshed for its lease. A pid alone is never trusted across pid
 * namespaces: two containers sharing a volume can both have a process with the same pid.
 */
export function acquireLock(dir: string, options: LockOptions = {}): DirectoryLock {
  const path = resolve(dir, LOCK_FILE);
  const heartbeatMs = options.heartbeatMs ?? LOCK_HEARTBEAT_MS;
  for (let attempt = 0; attempt < 5; attempt++) {
    const holder = newHolder(heartbeatMs);
    if (tryCreate(path, holder)) return new HeldLock(dir, path, holder);
    const seen = readLock(path);
    if (seen === undefined) continue;
    const verdict = judge(dir, path, seen);
    if (verdict.live) throw verdict.error;
    if (takeOverStale(dir, path, seen)) {
      options.report?.(`took over the stale lock of ${describeHolder(seen.holder, seen.legacyPid)} on ${dir} (${verdict.why})`);
    }
  }
  throw new MinidoteError('storage', `could not take the lock ${path}: it keeps changing hands; try again`);
}

class HeldLock implements DirectoryLock {
  private readonly timer: NodeJS.Timeout;
  private lastRefresh = Date.now();
  private lost: MinidoteError | undefined;
  private released = false;
  private readonly listeners: ((error: MinidoteError) => void)[] = [];

  constructor(
    private readonly dir: string,
    private readonly path: string,
    private readonly holder: LockHolder,
  ) {
    heldHere.add(holder.token);
    this.timer = setInterval(() => this.refresh(), holder.heartbeatMs);
    this.timer.unref();
  }

  check(): void {
    // Two heartbeats late: the event loop was blocked, and the lease may be running out.
    if (!this.lost && Date.now() - this.lastRefresh > 2 * this.holder.heartbeatMs) this.refresh();
    if (this.lost) throw this.lost;
  }

  onLost(listener: (error: MinidoteError) => void): void {
    this.listeners.push(listener);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    heldHere.delete(this.holder.token);
    if (!this.lost && readLock(this.path)?.holder?.token === this.holder.token) unlinkSync(this.path);
  }

  private refresh(): void {
    if (this.lost || this.released) return;
    const stalled = Date.now() - this.lastRefresh;
    let why: string;
    try {
      const seen = readLock(this.path);
      if (seen?.holder?.token === this.holder.token) {
        const now = new Date();
        utimesSync(this.path, now, now);
        this.lastRefresh = now.getTime();
        return;
      }
      why = seen ? `${describeHolder(seen.holder)} holds it now` : 'the lock file is gone';
    } catch (error) {
      why = `it could not be refreshed: ${errorMessage(error)}`;
    }
    this.lost = new MinidoteError(
      'storage',
      `this process lost the lock on the data directory ${this.dir} (${why}; its last refresh was ` +
        `${seconds(stalled)} s ago, the lease is ${seconds(this.holder.leaseMs)} s): another process may be ` +
        'writing to it, so this one stops writing. Stop the other process or this one, then restart',
    );
    clearInterval(this.timer);
    heldHere.delete(this.holder.token);
    for (const listener of this.listeners) listener(this.lost);
  }
}

let place: ProcessPlace | undefined;

function ourPlace(): ProcessPlace {
  place ??= {
    host: hostname(),
    bootId: readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: readOrNull(() => readlinkSync('/proc/self/ns/pid')),
  };
  return place;
}

/** Linux tells these; elsewhere they are null on both sides, and the host name alone decides. */
function readOrNull(read: () => string): string | null {
  try {
    return read() || null;
  } catch {
    return null;
  }
}

function newHolder(heartbeatMs: number): LockHolder {
  return {
    pid: process.pid,
    ...ourPlace(),
    token: randomBytes(8).toString('hex'),
    heartbeatMs,
    leaseMs: LEASE_HEARTBEATS * heartbeatMs,
  };
}

function tryCreate(path: string, holder: LockHolder): boolean {
  const mine = `${path}.${process.pid}.${holder.token}`;
  const content = { format: 'minidote-lock', ...holder, since: new Date().toISOString() };
  try {
    writeFileSync(mine, `${JSON.stringify(content)}\n`);
    linkSync(mine, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw diskError(`could not create the lock ${path}`, error);
  } finally {
    try {
      unlinkSync(mine);
    } catch {
      // Never written (the write itself failed): nothing to remove.
    }
  }
}

/** A lock file as found: its holder (undefined when the file does not name one) and its age. */
interface SeenLock {
  readonly holder: LockHolder | undefined;
  /** The pid of a lock written by an older release (a bare pid, no heartbeat). */
  readonly legacyPid: number | undefined;
  readonly ageMs: number;
}

/** Undefined when there is no lock file. Content and age come from the same file (one open). */
function readLock(path: string): SeenLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw diskError(`could not read the lock ${path}`, error);
  }
  try {
    const ageMs = Math.max(0, Date.now() - fstatSync(fd).mtimeMs);
    const text = readFileSync(fd, 'utf8');
    return { holder: parseHolder(text), legacyPid: parseLegacyPid(text), ageMs };
  } catch (error) {
    throw diskError(`could not read the lock ${path}`, error);
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const positive = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  const nameOrNull = (s: unknown): s is string | null => s === null || typeof s === 'string';
  if (v.format !== 'minidote-lock' || !positive(v.pid) || typeof v.token !== 'string' || typeof v.host !== 'string') {
    return undefined;
  }
  if (!nameOrNull(v.bootId) || !nameOrNull(v.pidNamespace) || !positive(v.heartbeatMs) || !positive(v.leaseMs)) {
    return undefined;
  }
  return {
    pid: v.pid,
    host: v.host,
    bootId: v.bootId,
    pidNamespace: v.pidNamespace,
    token: v.token,
    heartbeatMs: v.heartbeatMs,
    leaseMs: Math.min(v.leaseMs, MAX_LEASE_MS),
  };
}

function parseLegacyPid(text: string): number | undefined {
  const pid = Number(text.trim());
  return /^\d+$/.test(text.trim()) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

type Verdict = { readonly live: false; readonly why: string } | { readonly live: true; readonly error: StorageLockedError };

/**
 * Whether a lock found in place still has a live holder. A pid is only checked when the holder
 * runs where we do; anywhere else (or when the file does not say) only the heartbeat tells. The
 * bare pid of an older release's lock keeps it while any process runs with that pid here.
 */
function judge(dir: string, path: string, seen: SeenLock): Verdict {
  const { holder, ageMs } = seen;
  if (holder && heldHere.has(holder.token)) {
    const message = `data directory ${dir} is already open in this process (pid ${process.pid})`;
    return { live: true, error: new StorageLockedError(dir, holder.pid, holder, message) };
  }
  const { legacyPid } = seen;
  if (legacyPid !== undefined && legacyPid !== process.pid && isRunning(legacyPid)) {
    // An older Minidote never refreshes its lock, so its age says nothing; a running pid may be it.
    const message =
      `data directory ${dir} is in use by process ${legacyPid} (its lock ${path} was written by an older ` +
      `Minidote): stop that process first. If process ${legacyPid} is not a Minidote, stop every Minidote ` +
      `that uses this directory, then remove ${path}`;
    return { live: true, error: new StorageLockedError(dir, legacyPid, undefined, message) };
  }
  const leaseMs = holder?.leaseMs ?? LEASE_HEARTBEATS * LOCK_HEARTBEAT_MS;
  if (ageMs > leaseMs) return { live: false, why: `not refreshed for ${seconds(ageMs)} s` };
  if (holder && samePlace(holder)) {
    // Our own pid in a lock we do not hold: an earlier process had it, as a restarted container's
    // main process does.
    if (holder.pid === process.pid) return { live: false, why: `its pid ${holder.pid} is this process` };
    if (!isRunning(holder.pid)) return { live: false, why: `process ${holder.pid} no longer runs` };
  }
  return { live: true, error: lockedError(dir, path, seen, leaseMs) };
}

function lockedError(dir: string, path: string, seen: SeenLock, leaseMs: number): StorageLockedError {
  const { holder, ageMs } = seen;
  const takeOver =
    `If it is no longer running, its lock is taken over automatically once it has not been refreshed for ` +
    `${seconds(leaseMs)} s (in ${seconds(Math.max(0, leaseMs - ageMs))} s): then open the directory again`;
  if (!holder) {
    const message =
      `data directory ${dir} is in use by ${describeHolder(undefined, seen.legacyPid)}; ${path} does not tell ` +
      'where that process runs. ' +
      `Stop any other Minidote using this directory. ${takeOver}`;
    return new StorageLockedError(dir, seen.legacyPid, undefined, message);
  }
  const message =
    `data directory ${dir} is in use by ${describeHolder(holder)}, which refreshed its lock ` +
    `${seconds(ageMs)} s ago: stop that process first. ${takeOver}`;
  return new StorageLockedError(dir, holder.pid, holder, message);
}

function describeHolder(holder: LockHolder | undefined, legacyPid?: number): string {
  if (!holder) return legacyPid === undefined ? 'an unidentified process' : `process ${legacyPid} (lock of an older Minidote)`;
  if (samePlace(holder)) return `process ${holder.pid} on this machine`;
  const where =
    holder.host !== ourPlace().host
      ? `on host ${holder.host}`
      : holder.bootId !== ourPlace().bootId
        ? `on host ${holder.host} (before a reboot, or another machine with the same name)`
        : `on host ${holder.host} in another pid namespace (another container sharing this directory?)`;
  return `process ${holder.pid} ${where}`;
}

function samePlace(holder: ProcessPlace): boolean {
  const here = ourPlace();
  return holder.host === here.host && holder.bootId === here.bootId && holder.pidNamespace === here.pidNamespace;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a stale lock out of the way; false if it was not there or is not stale after all.
 * Renaming (rather than deleting) lets us check what we moved: if its holder refreshed it
 * meanwhile, or another process replaced it, it is put back.
 */
function takeOverStale(dir: string, path: string, judged: SeenLock): boolean {
  const moved = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw diskError(`could not take over the stale lock ${path}`, error);
  }
  const seen = readLock(moved);
  const same = seen !== undefined && seen.holder?.token === judged.holder?.token && seen.legacyPid === judged.legacyPid;
  const verdict = seen && same ? judge(dir, path, seen) : undefined;
  if (seen && (!same || verdict?.live)) {
    try {
      linkSync(moved, path);
    } catch {
      // A third process created a lock meanwhile: it is the owner now, and the moved one is lost either way.
    }
    unlinkSync(moved);
    if (verdict?.live) throw verdict.error;
    return false;
  }
  unlinkSync(moved);
  return true;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
