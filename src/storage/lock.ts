import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MinidoteError } from '../core/errors';
import { diskError } from './files';

const LOCK_FILE = 'lock';

/** Another live process (or this one) has the data directory open. */
export class StorageLockedError extends MinidoteError {
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(
      'storage',
      holderPid === process.pid
        ? `data directory ${dir} is already open in this process (pid ${holderPid})`
        : `data directory ${dir} is in use by process ${holderPid}: stop that process first ` +
            `(if no Minidote runs as pid ${holderPid}, delete ${join(dir, LOCK_FILE)})`,
    );
  }
}

export interface DirectoryLock {
  release(): void;
}

/** Lock files this process holds (absolute paths). */
const heldHere = new Set<string>();

/**
 * Takes `dir/lock`, which holds the owner's pid. The file is written under a private name and then
 * hard-linked into place, so it appears with its content or not at all, and only one of several
 * racing processes can create it. A lock whose pid is no longer running is stale and taken over.
 */
export function acquireLock(dir: string): DirectoryLock {
  const path = resolve(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path)) {
      heldHere.add(path);
      return { release: () => release(path) };
    }
    const holder = readHolder(path);
    if (holder !== undefined && isHolding(holder, path)) throw new StorageLockedError(dir, holder);
    takeOverStale(dir, path, holder);
  }
  throw new MinidoteError('storage', `could not take the lock ${path}: it keeps changing hands; try again`);
}

function tryCreate(path: string): boolean {
  const mine = `${path}.${process.pid}`;
  try {
    writeFileSync(mine, `${process.pid}\n`);
    linkSync(mine, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw diskError(`could not create the lock ${path}`, error);
  } finally {
    unlinkSync(mine);
  }
}

/** The holder's pid; undefined when the file is gone or does not hold a pid (then it is stale). */
function readHolder(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw diskError(`could not read the lock ${path}`, error);
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Our own pid in a lock we did not take is stale: a previous process had the same pid, as happens
 * to a container's main process across restarts.
 */
function isHolding(pid: number, path: string): boolean {
  return pid === process.pid ? heldHere.has(path) : isRunning(pid);
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
 * Moves the stale lock out of the way. Renaming (rather than deleting) lets us check what we moved:
 * if another process took the lock over in the meantime, its fresh lock is put back.
 */
function takeOverStale(dir: string, path: string, stalePid: number | undefined): void {
  const moved = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw diskError(`could not take over the stale lock ${path}`, error);
  }
  const holder = readHolder(moved);
  if (holder !== undefined && holder !== stalePid && isHolding(holder, path)) {
    try {
      linkSync(moved, path);
    } catch {
      // A third process created a lock meanwhile: it is the owner now, and ours is lost either way.
    }
    unlinkSync(moved);
    throw new StorageLockedError(dir, holder);
  }
  unlinkSync(moved);
}

function release(path: string): void {
  heldHere.delete(path);
  if (readHolder(path) === process.pid) unlinkSync(path);
}
