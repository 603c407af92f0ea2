import { InvalidInputError } from '../core/errors';

/**
 * When appended log records are forced to the disk with fsync. Every policy writes each record to
 * the OS before the update is acknowledged, so all of them survive the process being killed; they
 * differ in what survives a power cut or kernel crash:
 * - `always`: an acknowledged update is on the disk (concurrent updates share one fsync);
 * - `{ intervalMs }`: a background fsync every intervalMs; a power cut loses at most that window;
 * - `never`: the OS decides when to write back (tests, benchmarks, throw-away replicas).
 */
export type FsyncPolicy = 'always' | 'never' | { readonly intervalMs: number };

/**
 * `always`: the design promises that nothing acknowledged is lost, and Minidote's writes are
 * human-paced (flag flips, set edits), so the cost of an fsync per commit is small; bursts are
 * absorbed by group commit, which lets every update waiting at the same moment share one fsync.
 */
export const DEFAULT_FSYNC: FsyncPolicy = 'always';

const DEFAULT_FSYNC_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 3_600_000;

/** Reads a policy from a setting or flag: `always`, `never`, `interval` or `interval:MS`. */
export function parseFsyncPolicy(text: string): FsyncPolicy {
  const value = text.trim();
  if (value === 'always' || value === 'never') return value;
  if (value === 'interval') return { intervalMs: DEFAULT_FSYNC_INTERVAL_MS };
  const match = /^interval:(\d+)$/.exec(value);
  if (match) {
    const intervalMs = Number(match[1]);
    if (validInterval(intervalMs)) return { intervalMs };
  }
  throw new InvalidInputError(
    `fsync policy "${text}" is not valid: use always, never, interval (every ${DEFAULT_FSYNC_INTERVAL_MS} ms) ` +
      `or interval:MS with MS from 1 to ${MAX_INTERVAL_MS}`,
  );
}

/** Checks a policy given in code (options objects bypass the text parser). */
export function checkFsyncPolicy(policy: FsyncPolicy): FsyncPolicy {
  if (typeof policy === 'string' ? policy === 'always' || policy === 'never' : validInterval(policy.intervalMs)) {
    return policy;
  }
  throw new InvalidInputError(
    `fsync policy ${JSON.stringify(policy)} is not valid: ` +
      `use 'always', 'never' or { intervalMs } with an integer from 1 to ${MAX_INTERVAL_MS}`,
  );
}

function validInterval(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 1 && ms <= MAX_INTERVAL_MS;
}
