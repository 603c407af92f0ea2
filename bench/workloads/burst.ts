import { SIZES } from '../config';
import { Row, TargetCheck, WorkloadResult } from '../results';
import { System } from '../proc/peerHost';
import { SYSTEMS, armAll, logSummary, openReplicas, profiled, settle } from './network';
import { Workers } from './workers';

/**
 * Workload 3. Five replicas in five processes, a star around replica 0 (which also writes). All
 * five then issue their updates at once (counter increments and set adds, groups of 100 awaited);
 * we time from the earliest start to the moment the last replica has delivered all of them, and
 * check that the five end with identical values.
 */
const REPLICAS = 5;
const GROUP = 100;

async function measureSystem(workers: Workers, system: System, perReplica: number): Promise<{ ms: number; identical: boolean; log: string[] }> {
  const { replicas, ids } = await openReplicas(workers, system, REPLICAS);
  try {
    const url = await replicas[0].call('listen');
    await Promise.all(replicas.slice(1).map((r) => r.call('connect', url)));
    const settled = await settle(replicas, ids);
    const target = { ...settled };
    for (const id of ids) target[id] += perReplica;
    const reached = await armAll(replicas, target);
    const { runs, done } = await profiled(`w3-${system}`, replicas, async () => {
      const runs = await Promise.all(replicas.map((r, i) => r.call('burst', i, perReplica, GROUP)));
      return { runs, done: await reached() };
    });
    const digests = await Promise.all(replicas.map((r) => r.call('digest')));
    const log = await logSummary(`W3 ${system}`, replicas);
    return { ms: Math.max(...done) - Math.min(...runs.map((r) => r.start)), identical: new Set(digests).size === 1, log };
  } finally {
    await Promise.all(replicas.map((r) => workers.stop(r)));
  }
}

export async function runBurst(workers: Workers): Promise<WorkloadResult> {
  const perReplica = SIZES.burstPerReplica;
  const m = await measureSystem(workers, 'minidote', perReplica);
  const y = await measureSystem(workers, 'yjs', perReplica);
  const total = perReplica * REPLICAS;
  const rows: Row[] = [
    { workload: '3 burst', metric: `${REPLICAS} replicas × ${perReplica} concurrent updates: time to identical`, unit: 'ms', higherIsBetter: false, minidote: m.ms, yjs: y.ms, floor: null },
    { workload: '3 burst', metric: 'convergence throughput', unit: 'updates/s', higherIsBetter: true, minidote: (total * 1000) / m.ms, yjs: (total * 1000) / y.ms, floor: null },
  ];
  const ratio = y.ms / m.ms;
  const targets: TargetCheck[] = [{ target: 'W3 burst convergence ahead of Yjs', measured: `${ratio.toFixed(2)}x Yjs's speed`, met: ratio > 1 }];
  const notes = [...SYSTEMS.filter((s) => !(s === 'minidote' ? m : y).identical).map((s) => `W3: ${s} replicas did NOT end identical`), ...m.log];
  return { rows, targets, notes };
}
