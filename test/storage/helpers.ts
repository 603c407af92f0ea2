import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Replica } from '../../src/core/replica';
import { OpenOptions, openStorage } from '../../src/storage';
import { updateFor } from './fixtures/workload';

export const ROOT = join(__dirname, '..', '..');
const made: string[] = [];

/** A fresh directory under the system temp dir, removed by `removeTempDirs`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'minidote-storage-'));
  made.push(dir);
  return dir;
}

export function copyDir(from: string): string {
  const to = tempDir();
  cpSync(from, to, { recursive: true });
  return to;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Opens `dir`, runs updates `from`..`to` of the workload one after the other, and closes it. */
export async function runUpdates(dir: string, from: number, to: number, options: OpenOptions = {}): Promise<void> {
  const defaults: OpenOptions = { id: 'alpha', fsync: 'never', replica: { now: () => 0 } };
  const { storage, replica } = await openStorage(dir, { ...defaults, ...options });
  await applyUpdates(replica, from, to);
  await storage.close();
}

export async function applyUpdates(replica: Replica, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await replica.update(updateFor(n));
}

/** Children still running, killed by `killChildren` after each test (a failed one leaves some). */
const running = new Set<Child>();

export async function killChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}

/** A child process whose stdout is collected line by line. */
export class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private done = false;
  private pending = '';
  private readonly listeners = new Set<() => void>();

  constructor(readonly process: ChildProcess) {
    running.add(this);
    process.stdout?.on('data', (chunk: Buffer) => {
      const parts = (this.pending + chunk.toString('utf8')).split('\n');
      this.pending = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const listener of this.listeners) listener();
    });
    process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // 'close' (not 'exit') comes after the last output has been read.
    this.exited = new Promise((resolve) =>
      process.on('close', (code, signal) => {
        this.done = true;
        running.delete(this);
        for (const listener of this.listeners) listener();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    if (this.process.pid === undefined) throw new Error('child has no pid');
    return this.process.pid;
  }

  /** Resolves once `test` holds for the lines so far; rejects if the child exits first. */
  until<T>(test: (lines: string[]) => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const result = test(this.lines);
        if (result !== undefined) {
          this.listeners.delete(check);
          resolve(result);
        } else if (this.done) {
          this.listeners.delete(check);
          const output = `stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`;
          reject(new Error(`child exited before the expected output; ${output}`));
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Kills with SIGKILL and waits until the process is gone (reaped, so its pid is free). */
  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

export interface FixtureOptions {
  /** Shell commands run first (in bash) in the process that then becomes the fixture. */
  shellPrefix?: string;
  /** A command the whole is run under, such as `unshare --pid --fork`. */
  wrapper?: readonly string[];
}

/** Runs a fixture under test/storage/fixtures with node + tsx. */
export function spawnFixture(fixture: string, args: string[], { shellPrefix, wrapper = [] }: FixtureOptions = {}): Child {
  const node = [process.execPath, '--import', 'tsx', join(__dirname, 'fixtures', fixture), ...args];
  const command = shellPrefix ? ['bash', '-c', `${shellPrefix} && exec "$@"`, 'bash', ...node] : node;
  const [file, ...rest] = [...wrapper, ...command];
  return new Child(spawn(file, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}
