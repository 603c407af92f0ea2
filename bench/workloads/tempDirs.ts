import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every directory a run creates lives under one root that the parent removes at the end, so a
 * failed or killed workload leaves nothing behind. Children find the root in the environment.
 */
const ROOT_VARIABLE = 'MINIDOTE_BENCH_TMP';

export function createRunRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'minidote-bench-'));
  process.env[ROOT_VARIABLE] = root;
  return root;
}

export function removeRunRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A fresh directory under the run's root. */
export function freshDir(name: string): string {
  const root = process.env[ROOT_VARIABLE];
  if (!root) throw new Error(`${ROOT_VARIABLE} is not set: temporary directories must live under the run's root`);
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${name}-`));
}

/** Bytes in the files under `dir`, recursively. */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}
