import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MinidoteError, errorMessage } from '../core/errors';

const HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full; free some space',
  EDQUOT: 'the disk quota is exhausted; free some space',
  EFBIG: 'the file size limit was reached',
  EACCES: 'permission denied; check the owner and mode of the data directory',
  EPERM: 'operation not permitted; check the owner, mode and attributes of the data directory',
  EROFS: 'the file system is read-only',
  EIO: 'the disk reported an I/O error',
};

/** A failed file operation as a storage error that says what was being done and what to check. */
export function diskError(action: string, error: unknown): MinidoteError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code !== undefined && code in HINTS ? ` (${HINTS[code]})` : '';
  return new MinidoteError('storage', `${action}: ${errorMessage(error)}${hint}`);
}

/**
 * Makes a directory entry change (file created, renamed, deleted) durable. Windows cannot open a
 * directory for fsync and persists directory entries with the file, so it is skipped there.
 */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` all at once: readers see the old content or the new one, never a mix. */
export async function writeFileAtomically(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    fsyncDirectory(dirname(path));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw diskError(`could not write ${path}`, error);
  }
}

/** `writeFileAtomically` for callers that must not let anything happen before the file is durable. */
export function writeFileAtomicallySync(path: string, data: Buffer): void {
  const temp = `${path}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    fsyncDirectory(dirname(path));
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed into place.
    }
    throw diskError(`could not write ${path}`, error);
  }
}

/** Temp files of atomic writes that a crash interrupted; their targets are intact. */
export function removeInterruptedWrites(dir: string): void {
  for (const name of readdirSync(dir)) if (name.endsWith('.tmp')) unlinkSync(join(dir, name));
}

const DAMAGED_DIR = 'damaged';

/** Moves a file that recovery will not use into `damaged/`, for inspection; returns its new path. */
export function moveAside(dir: string, path: string): string {
  const target = damagedPath(dir, basename(path));
  renameSync(path, target);
  fsyncDirectory(dir);
  return target;
}

/**
 * Moves the tail of a file from `offset` into `damaged/` and cuts it off the file. `data` is the
 * file's content as recovery read it. Returns where the bytes went.
 */
export function cutTail(dir: string, path: string, offset: number, data: Buffer): string {
  const target = damagedPath(dir, `${basename(path)}@${offset}`);
  writeFileSync(target, data.subarray(offset));
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return target;
}

/**
 * Copies one record of a file, which stays in place, into `damaged/` as `FILE@OFFSET`; returns
 * where. A later recovery that meets the same record again finds the copy and does not repeat it.
 */
export function copyAside(dir: string, file: string, offset: number, bytes: Buffer): string {
  const name = `${file}@${offset}`;
  const earlier = join(dir, DAMAGED_DIR, name);
  if (existsSync(earlier) && readFileSync(earlier).equals(bytes)) return earlier;
  const target = damagedPath(dir, name);
  writeFileSync(target, bytes);
  return target;
}

function damagedPath(dir: string, name: string): string {
  const damaged = join(dir, DAMAGED_DIR);
  mkdirSync(damaged, { recursive: true });
  let target = join(damaged, name);
  for (let n = 2; existsSync(target); n++) target = join(damaged, `${name}.${n}`);
  return target;
}

/** Bytes used by the files under `dir`, recursively. */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    // A snapshot being renamed in the background may vanish between the listing and the stat.
    else if (entry.isFile()) total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}
