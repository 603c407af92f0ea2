import { SIZES } from '../config';
import { nowMs } from '../measure';
import { CountingProxy } from '../proc/countingProxy';
import { BenchOp, mixedOp } from '../ops';
import { Figure, Row, TargetCheck, WorkloadResult, baselineTarget, repeatedRow } from '../results';
import { digestValues, expectedValues } from '../values';
import {
  CONTENDERS,
  Contender,
  LogCounts,
  armAll,
  divergences,
  logNotes,
  logSummary,
  openReplica,
  openReplicas,
  profiled,
  repeatPerContender,
  settle,
  warmOps,
} from './network';
import { Worker, Workers } from './workers';

/**
 * Workload 4. Replica B (its own process) is connected to A, disconnects, A commits n transactions
 * (every type, 400 objects), B reconnects: time from the reconnect call to B having everything, and
 * the bytes that crossed the link both ways (counted by a TCP relay in between). Then a new, empty
 * replica C connects to A and bootstraps the same state. Both must end in the specified state.
 */
const GROUP = 100;

interface Converge {
  readonly ms: number;
  readonly bytes: number;
}

interface CatchUp {
  readonly catchUp: Converge;
  readonly bootstrap: Converge;
  readonly log: LogCounts;
  readonly failures: string[];
}

async function converge(label: string, joiner: Worker, source: Worker, sourcePort: number): Promise<Converge> {
  const proxy = await CountingProxy.start(sourcePort);
  try {
    const reached = await armAll([joiner], await source.call('progress'));
    const start = nowMs();
    const [at] = await profiled(label, [source, joiner], async () => {
      await joiner.call('connect', proxy.url);
      return reached();
    });
    return { ms: at - start, bytes: proxy.bytes };
  } finally {
    await proxy.close();
  }
}

async function measureContender(workers: Workers, contender: Contender, n: number): Promise<CatchUp> {
  const { replicas, ids } = await openReplicas(workers, contender, 2);
  const [a, b] = replicas;
  const started = [...replicas];
  try {
    const port = Number(new URL(await a.call('listen')).port);
    const link = await CountingProxy.start(port);
    await b.call('connect', link.url);
    await settle(replicas, ids);
    await b.call('disconnect', link.url);
    await link.close();
    const ops: BenchOp[] = warmOps(2);
    for (let i = 0; i < n; i += GROUP) {
      const group: BenchOp[] = [];
      for (let k = i; k < Math.min(n, i + GROUP); k++) group.push(mixedOp(k));
      await a.call('write', group);
      ops.push(...group);
    }
    const catchUp = await converge(`w4-${contender.figure}-catch-up`, b, a, port);
    const { replica: c } = await openReplica(workers, contender, 2);
    started.push(c);
    const bootstrap = await converge(`w4-${contender.figure}-bootstrap`, c, a, port);
    const failures = await divergences(`W4 ${contender.label}`, started, digestValues(expectedValues(ops)));
    return { catchUp, bootstrap, log: await logSummary(`W4 ${contender.label}`, started), failures };
  } finally {
    await Promise.all(started.map((r) => workers.stop(r)));
  }
}

export async function runCatchUp(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.catchUpTxns;
  const runs = await repeatPerContender((contender) => measureContender(workers, contender, n));
  const failures = [...runs.values()].flatMap((r) => r.flatMap((c) => c.failures));
  if (failures.length > 0) return { rows: [], targets: [], notes: [], failures };
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  for (const [what, pick] of [
    [`catch-up after missing ${n} txns`, (c: CatchUp) => c.catchUp],
    [`bootstrap of an empty replica (${n} txns of history)`, (c: CatchUp) => c.bootstrap],
  ] as const) {
    const times: Partial<Record<Figure, number[]>> = {};
    const bytes: Partial<Record<Figure, number[]>> = {};
    for (const contender of CONTENDERS) {
      const converged = (runs.get(contender) as CatchUp[]).map(pick);
      times[contender.figure] = converged.map((c) => c.ms);
      bytes[contender.figure] = converged.map((c) => c.bytes);
    }
    const time = repeatedRow({ workload: '4 catch-up', metric: `${what}: time`, unit: 'ms', higherIsBetter: false }, times);
    rows.push(time, repeatedRow({ workload: '4 catch-up', metric: `${what}: bytes on the link`, unit: 'B', higherIsBetter: false }, bytes));
    targets.push(baselineTarget(`W4 ${what} ahead of Yjs and Automerge (time)`, time, 1));
  }
  const logs = logNotes([...runs.values()].flatMap((r) => r.map((c) => c.log)));
  return { rows, targets, notes: logs, failures: [] };
}
