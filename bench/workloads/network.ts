import { DEFAULT_FSYNC } from '../../src/storage';
import { System } from '../proc/peerHost';
import { PROFILE_DIR } from '../proc/profiler';
import { ProgressClock } from '../store';
import { Worker, Workers } from './workers';

export const SYSTEMS: readonly System[] = ['minidote', 'yjs'];

/** A replica in its own process, run as shipped: Minidote with its default fsync policy. */
export async function openReplica(workers: Workers, system: System, index: number): Promise<{ replica: Worker; id: string }> {
  const replica = workers.start(`${system}-${index}`);
  return { replica, id: await replica.call('open', system, `r${index}`, DEFAULT_FSYNC) };
}

export async function openReplicas(workers: Workers, system: System, count: number): Promise<{ replicas: Worker[]; ids: string[] }> {
  const opened = await Promise.all(Array.from({ length: count }, (_, i) => openReplica(workers, system, i)));
  return { replicas: opened.map((o) => o.replica), ids: opened.map((o) => o.id) };
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

/**
 * Makes sure every link is up before measuring: each replica writes one op and all wait until
 * every replica has everything. Returns the common progress afterwards.
 */
export async function settle(replicas: readonly Worker[], ids: readonly string[]): Promise<ProgressClock> {
  const before = union(await Promise.all(replicas.map((r) => r.call('progress'))));
  const target = { ...before };
  ids.forEach((id) => {
    target[id] = (target[id] ?? 0) + 1;
  });
  const reached = await armAll(replicas, target);
  await Promise.all(replicas.map((r, i) => r.call('write', [{ kind: 'register', key: `warm-${i}`, value: 'up' }])));
  await reached();
  return target;
}

/** Notable node log lines during a workload (retransmissions, snapshots sent), summed over replicas. */
export async function logSummary(label: string, replicas: readonly Worker[]): Promise<string[]> {
  const totals = new Map<string, number>();
  for (const counts of await Promise.all(replicas.map((r) => r.call('logCounts')))) {
    for (const [shape, n] of Object.entries(counts)) totals.set(shape, (totals.get(shape) ?? 0) + n);
  }
  return [...totals].filter(([shape]) => !shape.includes('replicating with')).map(([shape, n]) => `${label}: node log "${shape}" ×${n}`);
}

/** Runs a measured window; with MINIDOTE_BENCH_PROFILE set, profiles exactly that window in every replica. */
export async function profiled<T>(label: string, replicas: readonly Worker[], run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  await Promise.all(replicas.map((r) => r.call('startProfile')));
  const result = await run();
  await Promise.all(replicas.map((r, i) => r.call('stopProfile', `${label}-${i}`)));
  return result;
}
