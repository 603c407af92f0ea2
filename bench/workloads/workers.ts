import { join } from 'node:path';
import type { WorkerApi } from '../proc/worker';
import { REPEATS } from '../config';
import { PROFILE_DIR } from '../proc/profiler';
import { Child } from '../proc/rpc';

export type Worker = Child<WorkerApi>;

const ENTRY = join(__dirname, '..', 'proc', 'worker.ts');

/** Starts and stops the child processes of the workloads; nothing outlives `stopAll`. */
export class Workers {
  private readonly running = new Set<Worker>();
  private count = 0;

  start(label: string, nodeFlags: string[] = []): Worker {
    const worker = Child.start<WorkerApi>(ENTRY, [], `${label}#${++this.count}`, nodeFlags);
    this.running.add(worker);
    return worker;
  }

  async stop(worker: Worker): Promise<void> {
    this.running.delete(worker);
    await worker.stop();
  }

  /**
   * Runs one measurement in a fresh child and stops it. With MINIDOTE_BENCH_PROFILE set, the child
   * runs with --cpu-prof (set-up and start-up included; the measurement dominates).
   */
  async once<T>(run: (worker: Worker) => Promise<T>, nodeFlags: string[] = []): Promise<T> {
    const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    const worker = this.start('job', [...nodeFlags, ...profile]);
    try {
      return await run(worker);
    } finally {
      await this.stop(worker);
    }
  }

  /** `once`, REPEATS times (each in a fresh process); the caller keeps the best figures. */
  async repeated<T>(run: (worker: Worker) => Promise<T>, nodeFlags: string[] = []): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < REPEATS; i++) results.push(await this.once(run, nodeFlags));
    return results;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((w) => this.stop(w)));
  }
}
