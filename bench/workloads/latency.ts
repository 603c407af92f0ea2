import WebSocket from 'ws';
import { Replica } from '../../src/core/replica';
import { SIZES } from '../config';
import { nowMs, percentile } from '../measure';
import { BenchOp, toUpdate } from '../ops';
import { Row, TargetCheck, WorkloadResult } from '../results';
import { SYSTEMS, logSummary, openReplicas, profiled, settle } from './network';
import { Workers } from './workers';

/**
 * Workload 2. Three replicas in three processes in a line, A – B – C (A and C connect to B, which
 * relays, as a y-websocket server does). A writes one register assignment every few ms, with no
 * coordination traffic during the run; we time from the update call at A to its delivery at B (one
 * hop) and at C (the farthest, two hops). Stamps from different processes come from the shared
 * monotonic clock. The floor is a raw `ws` echo round trip (client here, echo server in a child),
 * paced the same way, with a message of the size Minidote sends for one such update.
 */
/** Updates are spaced so that each one travels alone. */
const INTERVAL_MS = 2;

const op = (i: number): BenchOp => ({ kind: 'register', key: 'latency', value: `value-${i}` });

interface Hops {
  oneHop: number[];
  farthest: number[];
  log: string[];
}

async function measureSystem(workers: Workers, system: (typeof SYSTEMS)[number], samples: number): Promise<Hops> {
  const { replicas, ids } = await openReplicas(workers, system, 3);
  const [a, b, c] = replicas;
  try {
    const url = await b.call('listen');
    await Promise.all([a.call('connect', url), c.call('connect', url)]);
    await settle(replicas, ids);
    const hops: Hops = { oneHop: [], farthest: [], log: [] };
    const warmUp = Math.min(100, Math.floor(samples / 10));
    const ops = Array.from({ length: warmUp + samples }, (_, i) => op(i));
    await Promise.all([b.call('recordArrivals', ids[0]), c.call('recordArrivals', ids[0])]);
    const starts = await profiled(`w2-${system}`, replicas, () => a.call('paced', ops, INTERVAL_MS));
    const [atB, atC] = await Promise.all([b.call('takeArrivals'), c.call('takeArrivals')]);
    if (atB.length !== starts.length || atC.length !== starts.length) {
      throw new Error(`W2 ${system}: ${starts.length} updates written, ${atB.length} and ${atC.length} delivered`);
    }
    for (let i = warmUp; i < starts.length; i++) {
      hops.oneHop.push(atB[i] - starts[i]);
      hops.farthest.push(atC[i] - starts[i]);
    }
    hops.log = await logSummary(`W2 ${system}`, replicas);
    return hops;
  } finally {
    await Promise.all(replicas.map((r) => workers.stop(r)));
  }
}

/** The text Minidote puts on the wire for one of these updates, to size the floor's messages. */
async function minidoteMessageBytes(): Promise<number> {
  const replica = new Replica('r0');
  let text = '';
  replica.onChange((change) => {
    if (change.kind === 'transaction') text = `{"t":"txns","txns":[${JSON.stringify(change.transaction)}]}`;
  });
  await replica.update([toUpdate(op(1000))]);
  return Buffer.byteLength(text);
}

async function echoRoundTrips(workers: Workers, bytes: number, samples: number): Promise<number[]> {
  const echo = workers.start('echo');
  try {
    const url = await echo.call('startEcho');
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const payload = 'x'.repeat(bytes);
    const rtts: number[] = [];
    for (let i = 0; i < samples + 100; i++) {
      const start = nowMs();
      await new Promise<void>((resolve) => {
        socket.once('message', () => resolve());
        socket.send(payload);
      });
      if (i >= 100) rtts.push(nowMs() - start);
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    socket.close();
    return rtts;
  } finally {
    await workers.stop(echo);
  }
}

export async function runLatency(workers: Workers): Promise<WorkloadResult> {
  const samples = SIZES.latencySamples;
  const minidote = await measureSystem(workers, 'minidote', samples);
  const yjs = await measureSystem(workers, 'yjs', samples);
  const bytes = await minidoteMessageBytes();
  const floor = await echoRoundTrips(workers, bytes, samples);
  const rows: Row[] = [];
  for (const p of [50, 99]) {
    const row = (metric: string, mv: number[], yv: number[]): Row => ({
      workload: '2 latency',
      metric: `${metric} p${p}`,
      unit: 'ms',
      higherIsBetter: false,
      minidote: percentile(mv, p),
      yjs: percentile(yv, p),
      floor: percentile(floor, p),
    });
    rows.push(row('one hop (A→B)', minidote.oneHop, yjs.oneHop), row('farthest, two hops (A→B→C)', minidote.farthest, yjs.farthest));
  }
  const ratio = percentile(minidote.oneHop, 50) / percentile(floor, 50);
  const targets: TargetCheck[] = [
    { target: 'W2 one-hop p50 within 3x of the raw ws round trip p50', measured: `${ratio.toFixed(2)}x the floor`, met: ratio <= 3 },
  ];
  return {
    rows,
    targets,
    notes: [...minidote.log, `W2: ${samples} samples per system after a warm-up; floor = raw ws echo of ${bytes}-byte text messages (Minidote's message size for this update).`],
  };
}
