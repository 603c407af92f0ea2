import { REPEATS } from '../config';
import { BenchOp } from '../ops';
import { DEFAULT_FSYNC, FsyncPolicy } from '../../src/storage';
import { System } from '../proc/peerHost';
import { PROFILE_DIR } from '../proc/profiler';
import { Figure } from '../results';
import { ProgressClock } from '../store';
import { Worker, Workers } from './workers';

/** One column of the network workloads: a system, and for Minidote the fsync policy of its log. */
export interface Contender {
  readonly figure: Exclude<Figure, 'floor'>;
  readonly system: System;
  readonly fsync: FsyncPolicy;
  readonly label: string;
}

/**
 * Minidote as shipped (default policy) and with fsync `never`, which is what the baselines do
 * (Yjs persists nothing, Automerge's NodeFS storage never fsyncs), then the two baselines.
 */
export const CONTENDERS: readonly Contender[] = [
  {
    figure: 'minidote',
    system: 'minidote',
    fsync: DEFAULT_FSYNC,
    label: `minidote (fsync ${typeof DEFAULT_FSYNC === 'string' ? DEFAULT_FSYNC : 'interval'})`,
  },
  { figure: 'minidoteNever', system: 'minidote', fsync: 'never', label: 'minidote (fsync never)' },
  { figure: 'yjs', system: 'yjs', fsync: DEFAULT_FSYNC, label: 'yjs' },
  { figure: 'automerge', system: 'automerge', fsync: DEFAULT_FSYNC, label: 'automerge' },
];

/** A replica in its own process. */
export async function openReplica(workers: Workers, contender: Contender, index: number): Promise<{ replica: Worker; id: string }> {
  const replica = workers.start(`${contender.figure}-${index}`);
  return { replica, id: await replica.call('open', contender.system, `r${index}`, contender.fsync) };
}

export async function openReplicas(workers: Workers, contender: Contender, count: number): Promise<{ replicas: Worker[]; ids: string[] }> {
  const opened = await Promise.all(Array.from({ length: count }, (_, i) => openReplica(workers, contender, i)));
  return { replicas: opened.map((o) => o.replica), ids: opened.map((o) => o.id) };
}

/**
 * Runs `measure` REPEATS times for every contender, each time with fresh processes, the
 * contenders taking turns so that a busy spell of the machine does not land on one of them only.
 */
export async function repeatPerContender<T>(measure: (contender: Contender) => Promise<T>): Promise<Map<Contender, T[]>> {
  const runs = new Map<Contender, T[]>(CONTENDERS.map((c) => [c, []]));
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const contender of CONTENDERS) (runs.get(contender) as T[]).push(await measure(contender));
  }
  return runs;
}

/** Pointwise maximum of progress clocks. */
export function union(clocks: readonly ProgressClock[]): ProgressClock {
  const out: ProgressClock = {};
  for (const clock of clocks) for (const [id, n] of Object.entries(clock)) out[id] = Math.max(out[id] ?? 0, n);
  return out;
}

/** Resolves with the time each replica had delivered everything in `target`. */
export async function armAll(replicas: readonly Worker[], target: ProgressClock): Promise<() => Promise<number[]>> {
  await Promise.all(replicas.map((r) => r.call('arm', target)));
  return () => Promise.all(replicas.map((r) => r.call('reached')));
}

/** The operation replica `index` writes in `settle`. */
export function warmOp(index: number): BenchOp {
  return { kind: 'register', key: `warm-${index}`, value: 'up' };
}

export function warmOps(count: number): BenchOp[] {
  return Array.from({ length: count }, (_, i) => warmOp(i));
}

/**
 * Makes sure every link is up before measuring: each replica writes one op (`warmOp`) and all
 * wait until every replica has everything. Returns the common progress afterwards.
 */
export async function settle(replicas: readonly Worker[], ids: readonly string[]): Promise<ProgressClock> {
  const before = union(await Promise.all(replicas.map((r) => r.call('progress'))));
  const target = { ...before };
  ids.forEach((id) => {
    target[id] = (target[id] ?? 0) + 1;
  });
  const reached = await armAll(replicas, target);
  await Promise.all(replicas.map((r, i) => r.call('write', [warmOp(i)])));
  await reached();
  return target;
}

/** A failure for every replica whose state is not `expected` (a digest of bench/values.ts). */
export async function divergences(what: string, replicas: readonly Worker[], expected: string): Promise<string[]> {
  const digests = await Promise.all(replicas.map((r) => r.call('digest')));
  return digests.flatMap((digest, i) =>
    digest === expected ? [] : [`${what}: replica ${i} ends with state ${digest}, the specification is ${expected}`],
  );
}

/** Notable node log lines during a workload (retransmissions, snapshots sent), counted over replicas. */
export type LogCounts = Record<string, number>;

export async function logSummary(label: string, replicas: readonly Worker[]): Promise<LogCounts> {
  const totals: LogCounts = {};
  for (const counts of await Promise.all(replicas.map((r) => r.call('logCounts')))) {
    for (const [shape, n] of Object.entries(counts)) {
      if (shape.includes('replicating with')) continue;
      const line = `${label}: node log "${shape}"`;
      totals[line] = (totals[line] ?? 0) + n;
    }
  }
  return totals;
}

/** The log counts of all runs of a workload, summed, as notes. */
export function logNotes(runs: readonly LogCounts[]): string[] {
  const totals = new Map<string, number>();
  for (const counts of runs) for (const [line, n] of Object.entries(counts)) totals.set(line, (totals.get(line) ?? 0) + n);
  return [...totals].map(([line, n]) => `${line} ×${n} over ${REPEATS} runs`);
}

/** Runs a measured window; with MINIDOTE_BENCH_PROFILE set, profiles exactly that window in every replica. */
export async function profiled<T>(label: string, replicas: readonly Worker[], run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  await Promise.all(replicas.map((r) => r.call('startProfile')));
  const result = await run();
  await Promise.all(replicas.map((r, i) => r.call('stopProfile', `${label}-${i}`)));
  return result;
}
