import { SIZES } from '../config';
import { nowMs } from '../measure';
import { CountingProxy } from '../proc/countingProxy';
import { System } from '../proc/peerHost';
import { BenchOp, mixedOp } from '../ops';
import { Row, TargetCheck, WorkloadResult } from '../results';
import { armAll, logSummary, openReplica, openReplicas, profiled, settle } from './network';
import { Worker, Workers } from './workers';

/**
 * Workload 4. Replica B (its own process) is connected to A, disconnects, A commits n transactions
 * (every type, 400 objects), B reconnects: time from the reconnect call to B having everything, and
 * the bytes that crossed the link both ways (counted by a TCP relay in between). Then a new, empty
 * replica C connects to A and bootstraps the same state.
 */
const GROUP = 100;

interface Converge {
  readonly ms: number;
  readonly bytes: number;
  readonly identical: boolean;
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
    const bytes = proxy.bytes;
    const [a, b] = await Promise.all([source.call('digest'), joiner.call('digest')]);
    return { ms: at - start, bytes, identical: a === b };
  } finally {
    await proxy.close();
  }
}

async function measureSystem(workers: Workers, system: System, n: number): Promise<{ catchUp: Converge; bootstrap: Converge; log: string[] }> {
  const { replicas, ids } = await openReplicas(workers, system, 2);
  const [a, b] = replicas;
  const started = [...replicas];
  try {
    const port = Number(new URL(await a.call('listen')).port);
    const link = await CountingProxy.start(port);
    await b.call('connect', link.url);
    await settle(replicas, ids);
    await b.call('disconnect', link.url);
    await link.close();
    for (let i = 0; i < n; i += GROUP) {
      const ops: BenchOp[] = [];
      for (let k = i; k < Math.min(n, i + GROUP); k++) ops.push(mixedOp(k));
      await a.call('write', ops);
    }
    const catchUp = await converge(`w4-${system}-catch-up`, b, a, port);
    const { replica: c } = await openReplica(workers, system, 2);
    started.push(c);
    const bootstrap = await converge(`w4-${system}-bootstrap`, c, a, port);
    return { catchUp, bootstrap, log: await logSummary(`W4 ${system}`, started) };
  } finally {
    await Promise.all(started.map((r) => workers.stop(r)));
  }
}

export async function runCatchUp(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.catchUpTxns;
  const m = await measureSystem(workers, 'minidote', n);
  const y = await measureSystem(workers, 'yjs', n);
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const [what, mc, yc] of [
    [`catch-up after missing ${n} txns`, m.catchUp, y.catchUp],
    [`bootstrap of an empty replica (${n} txns of history)`, m.bootstrap, y.bootstrap],
  ] as const) {
    rows.push(
      { workload: '4 catch-up', metric: `${what}: time`, unit: 'ms', higherIsBetter: false, minidote: mc.ms, yjs: yc.ms, floor: null },
      { workload: '4 catch-up', metric: `${what}: bytes on the link`, unit: 'B', higherIsBetter: false, minidote: mc.bytes, yjs: yc.bytes, floor: null },
    );
    const ratio = yc.ms / mc.ms;
    targets.push({ target: `W4 ${what} ahead of Yjs (time)`, measured: `${ratio.toFixed(2)}x Yjs's speed`, met: ratio > 1 });
    if (!mc.identical || !yc.identical) notes.push(`W4 ${what}: replicas did NOT end identical (minidote ${mc.identical}, yjs ${yc.identical})`);
  }
  return { rows, targets, notes: [...notes, ...m.log] };
}
