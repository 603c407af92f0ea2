import { SIZES } from '../config';
import { BenchOp, burstOp } from '../ops';
import { Figure, Row, WorkloadResult, baselineTarget, repeatedRow } from '../results';
import { digestValues, expectedValues } from '../values';
import {
  CONTENDERS,
  Contender,
  LogCounts,
  armAll,
  divergences,
  logNotes,
  logSummary,
  openReplicas,
  profiled,
  repeatPerContender,
  settle,
  warmOps,
} from './network';
import { Workers } from './workers';

/**
 * Workload 3. Five replicas in five processes, a star around replica 0 (which also writes). All
 * five then issue their updates at once (counter increments and set adds, groups of 100 awaited,
 * each update its own transaction); we time from the earliest start to the moment the last replica
 * has delivered all of them, and check that all five end in the specified state. Every system
 * sends what one event-loop turn produced as one message per link: Minidote by design, the Yjs
 * baseline by merging the turn's updates (Y.mergeUpdates), automerge-repo by its sync protocol
 * (one sync message carries every change the peer lacks).
 */
const REPLICAS = 5;
const GROUP = 100;

interface Burst {
  readonly ms: number;
  readonly log: LogCounts;
  readonly failures: string[];
}

async function measureContender(workers: Workers, contender: Contender, perReplica: number): Promise<Burst> {
  const { replicas, ids } = await openReplicas(workers, contender, REPLICAS);
  try {
    const url = await replicas[0].call('listen');
    await Promise.all(replicas.slice(1).map((r) => r.call('connect', url)));
    const settled = await settle(replicas, ids);
    const target = { ...settled };
    for (const id of ids) target[id] += perReplica;
    const reached = await armAll(replicas, target);
    const { runs, done } = await profiled(`w3-${contender.figure}`, replicas, async () => {
      const runs = await Promise.all(replicas.map((r, i) => r.call('burst', i, perReplica, GROUP)));
      return { runs, done: await reached() };
    });
    const ops: BenchOp[] = warmOps(REPLICAS);
    for (let i = 0; i < REPLICAS; i++) for (let j = 0; j < perReplica; j++) ops.push(burstOp(i, j));
    const failures = await divergences(`W3 ${contender.label}`, replicas, digestValues(expectedValues(ops)));
    const log = await logSummary(`W3 ${contender.label}`, replicas);
    return { ms: Math.max(...done) - Math.min(...runs.map((r) => r.start)), log, failures };
  } finally {
    await Promise.all(replicas.map((r) => workers.stop(r)));
  }
}

/** Automerge runs a smaller burst (config.ts, automergeBurstPerReplica). */
function burstSize(contender: Contender): number {
  return contender.system === 'automerge' ? Math.min(SIZES.burstPerReplica, SIZES.automergeBurstPerReplica) : SIZES.burstPerReplica;
}

export async function runBurst(workers: Workers): Promise<WorkloadResult> {
  const perReplica = SIZES.burstPerReplica;
  const runs = await repeatPerContender((contender) => measureContender(workers, contender, burstSize(contender)));
  const failures = [...runs.values()].flatMap((bursts) => bursts.flatMap((b) => b.failures));
  if (failures.length > 0) return { rows: [], targets: [], notes: [], failures };
  const times: Partial<Record<Figure, number[]>> = {};
  const rates: Partial<Record<Figure, number[]>> = {};
  for (const contender of CONTENDERS) {
    const ms = (runs.get(contender) as Burst[]).map((b) => b.ms);
    times[contender.figure] = ms;
    rates[contender.figure] = ms.map((t) => (burstSize(contender) * REPLICAS * 1000) / t);
  }
  const automerge = CONTENDERS.find((c) => c.system === 'automerge');
  const smaller =
    automerge !== undefined && burstSize(automerge) !== perReplica
      ? `Automerge: ${REPLICAS} × ${burstSize(automerge)} updates, a smaller burst (its time grows faster than the burst); compare throughput`
      : undefined;
  const rows: Row[] = [
    repeatedRow(
      {
        workload: '3 burst',
        metric: `${REPLICAS} replicas × ${perReplica} concurrent updates: time to identical`,
        unit: 'ms',
        higherIsBetter: false,
      },
      times,
      smaller,
    ),
    repeatedRow({ workload: '3 burst', metric: 'convergence throughput', unit: 'updates/s', higherIsBetter: true }, rates),
  ];
  const logs = logNotes([...runs.values()].flatMap((bursts) => bursts.map((b) => b.log)));
  return {
    rows,
    targets: [baselineTarget('W3 burst convergence throughput ahead of Yjs and Automerge', rows[1], 1)],
    notes: logs,
    failures: [],
  };
}
