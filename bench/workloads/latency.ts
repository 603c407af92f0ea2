import WebSocket from 'ws';
import { Replica } from '../../src/core/replica';
import { MinidoteLink } from '../minidote/minidoteWire';
import { REPEATS, SIZES } from '../config';
import { nowMs, percentile } from '../measure';
import { BenchOp, toUpdate } from '../ops';
import { Figure, Row, TargetCheck, WorkloadResult, median, ratio, repeatedRow } from '../results';
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
 * Workload 2. Three replicas in three processes in a line, A – B – C (A and C connect to B, which
 * relays, as a y-websocket or automerge-repo sync server does). A writes one register assignment
 * every few ms, with no coordination traffic during the run; we time from the update call at A to
 * its delivery at B (one hop) and at C (the farthest, two hops). Stamps from different processes
 * come from the shared monotonic clock. The floor is a raw `ws` echo (client here, echo server in
 * a child), paced the same way, with a message of the size Minidote sends for one such update:
 * half its round trip is the one-way floor of one hop, the whole round trip that of two hops.
 */
/** Updates are spaced so that each one travels alone. */
const INTERVAL_MS = 2;

const op = (i: number): BenchOp => ({ kind: 'register', key: 'latency', value: `value-${i}` });

interface Hops {
  oneHop: number[];
  farthest: number[];
  log: LogCounts;
  failures: string[];
}

async function measureContender(workers: Workers, contender: Contender, samples: number): Promise<Hops> {
  const { replicas, ids } = await openReplicas(workers, contender, 3);
  const [a, b, c] = replicas;
  try {
    const url = await b.call('listen');
    await Promise.all([a.call('connect', url), c.call('connect', url)]);
    await settle(replicas, ids);
    const hops: Hops = { oneHop: [], farthest: [], log: {}, failures: [] };
    const warmUp = Math.min(100, Math.floor(samples / 10));
    const ops = Array.from({ length: warmUp + samples }, (_, i) => op(i));
    await Promise.all([b.call('recordArrivals', ids[0]), c.call('recordArrivals', ids[0])]);
    const starts = await profiled(`w2-${contender.figure}`, replicas, () => a.call('paced', ops, INTERVAL_MS));
    // The last updates may still be on their way (automerge-repo sends at most every 100 ms).
    await (
      await armAll([b, c], await a.call('progress'))
    )();
    const [atB, atC] = await Promise.all([b.call('takeArrivals'), c.call('takeArrivals')]);
    if (atB.length !== starts.length || atC.length !== starts.length) {
      hops.failures.push(`W2 ${contender.label}: ${starts.length} updates written, ${atB.length} and ${atC.length} delivered`);
      return hops;
    }
    for (let i = warmUp; i < starts.length; i++) {
      hops.oneHop.push(atB[i] - starts[i]);
      hops.farthest.push(atC[i] - starts[i]);
    }
    hops.failures.push(...(await divergences(`W2 ${contender.label}`, replicas, digestValues(expectedValues([...warmOps(3), ...ops])))));
    hops.log = await logSummary(`W2 ${contender.label}`, replicas);
    return hops;
  } finally {
    await Promise.all(replicas.map((r) => workers.stop(r)));
  }
}

/**
 * The bytes Minidote puts on the wire for one of these updates once the link is under way (the
 * first message on a link also carries the names it introduces), to size the floor's messages.
 */
async function minidoteMessageBytes(): Promise<number> {
  const replica = new Replica('r0');
  const link = new MinidoteLink();
  const sizes: number[] = [];
  replica.onChange((change) => {
    if (change.kind === 'transaction') sizes.push(link.encode(change.transaction).byteLength);
  });
  for (let i = 0; i < 3; i++) await replica.update([toUpdate(op(1000 + i))]);
  return sizes[sizes.length - 1];
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
    const payload = Buffer.alloc(bytes, 0x78);
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
  const bytes = await minidoteMessageBytes();
  const runs = await repeatPerContender((contender) => measureContender(workers, contender, samples));
  const echoes: number[][] = [];
  for (let i = 0; i < REPEATS; i++) echoes.push(await echoRoundTrips(workers, bytes, samples));
  const failures = [...runs.values()].flatMap((hops) => hops.flatMap((h) => h.failures));
  if (failures.length > 0) return { rows: [], targets: [], notes: [], failures };

  const rows: Row[] = [];
  for (const p of [50, 99]) {
    for (const [metric, pick, hops] of [
      ['one hop (A→B)', (h: Hops) => h.oneHop, 1],
      ['farthest, two hops (A→B→C)', (h: Hops) => h.farthest, 2],
    ] as const) {
      const samplesOf: Partial<Record<Figure, number[]>> = {
        floor: echoes.map((rtts) => (percentile(rtts, p) / 2) * hops),
      };
      for (const contender of CONTENDERS) samplesOf[contender.figure] = (runs.get(contender) as Hops[]).map((h) => percentile(pick(h), p));
      rows.push(
        repeatedRow(
          { workload: '2 latency', metric: `${metric} p${p}`, unit: 'ms', higherIsBetter: false },
          samplesOf,
          hops === 1 ? 'floor: one way, half the raw ws echo round trip' : 'floor: two one-way hops, the whole raw ws echo round trip',
        ),
      );
    }
  }
  const oneHop = rows[0];
  // How many times the floor each one-hop figure is (higher: further from the floor).
  const shipped = ratio(oneHop.minidote, oneHop.floor, true) ?? Infinity;
  const never = ratio(oneHop.minidoteNever, oneHop.floor, true) ?? Infinity;
  const rttP50 = median(echoes.map((rtts) => percentile(rtts, 50)));
  const targets: TargetCheck[] = [
    {
      target: 'W2 one-hop p50 within 3x of the one-way floor (half the raw ws echo round trip p50)',
      measured: `${shipped.toFixed(2)}x the one-way floor (fsync never: ${never.toFixed(2)}x); ${(shipped / 2).toFixed(2)}x the round trip`,
      met: shipped <= 3,
    },
  ];
  const logs = logNotes([...runs.values()].flatMap((hops) => hops.map((h) => h.log)));
  return {
    rows,
    targets,
    notes: [
      ...logs,
      `W2: ${samples} samples per system and run after a warm-up; floor = raw ws echo of ${bytes}-byte messages (Minidote's message size for this update), round trip p50 ${rttP50.toFixed(3)} ms.`,
    ],
    failures: [],
  };
}
