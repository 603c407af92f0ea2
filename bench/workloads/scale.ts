import { join } from 'node:path';
import WebSocket from 'ws';
import { DEFAULT_FSYNC, FsyncPolicy } from '../../src/storage';
import { REPEATS, scaled } from '../config';
import { nowMs, percentile } from '../measure';
import { MinidoteStore } from '../minidote/minidoteStore';
import { BenchOp } from '../ops';
import { Child, serve } from '../proc/rpc';
import { Figure, Row, TargetCheck, WorkloadResult, median, repeatedRow } from '../results';
import { BenchStore } from '../store';
import { YjsPeer } from '../yjs/yjsPeer';
import { freshDir } from './tempDirs';
import type { Workers } from './workers';

/**
 * Workload 8: 50 replicas. Minidote nodes and, as the baseline, Yjs replicas relaying like a
 * y-websocket server (bench/yjs/yjsPeer.ts), in two topologies:
 *
 * - hub: one replica that every other one connects to (the hub alone in its process; the 49 spokes
 *   in four processes): the hub relays every write to 48 spokes;
 * - mesh: a random graph of average degree 4 (a ring, plus one more link from each replica to a
 *   random other one), the 50 replicas in five processes of ten: writes travel several hops.
 *
 * Random replicas write one register assignment every INTERVAL_MS (each op travels alone). Every
 * replica stamps the delivery of every write on the shared monotonic clock. Reported: the time
 * until one other replica and until all 50 have a write (p50, p99), WebSocket messages and bytes
 * sent per write across all processes (heartbeats and all), and the hub process's CPU per write.
 *
 * The processes are started by this module (it is also their entry), since several replicas share
 * one: the bench's worker hosts one replica per process.
 */
const REPLICAS = 50;
const INTERVAL_MS = 20;
const OPS = scaled(300, 100);
const HOST_FLAG = '--scale-host';

type System = 'minidote' | 'yjs';
type Topology = 'hub' | 'mesh';

interface Contender {
  readonly figure: Extract<Figure, 'minidote' | 'minidoteNever' | 'yjs'>;
  readonly system: System;
  readonly fsync: FsyncPolicy;
}

const CONTENDERS: readonly Contender[] = [
  { figure: 'minidote', system: 'minidote', fsync: DEFAULT_FSYNC },
  { figure: 'minidoteNever', system: 'minidote', fsync: 'never' },
  { figure: 'yjs', system: 'yjs', fsync: 'never' },
];

// ---- The child side: one process hosting several replicas --------------------------------------

/** What a host has sent on its WebSockets since the last reset: every replica in the process. */
const traffic = { messages: 0, bytes: 0 };

function countSends(): void {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    traffic.messages++;
    traffic.bytes += typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength;
    return (send as (...args: unknown[]) => void).call(this, data, ...rest);
  } as typeof WebSocket.prototype.send;
}

/** Per replica: when each further write of each writer arrived (index = how many after the start). */
type Arrivals = Record<string, number[]>;

class ScaleHost {
  private readonly stores: BenchStore[] = [];
  private readonly arrivals: { base: Record<string, number>; stamps: Arrivals; stop: () => void }[] = [];

  async open(system: System, fsync: FsyncPolicy, names: string[]): Promise<string[]> {
    for (const name of names) {
      this.stores.push(system === 'minidote' ? await MinidoteStore.open(freshDir(`scale-${name}`), name, fsync) : new YjsPeer());
    }
    return this.stores.map((s) => s.id);
  }

  listen(index: number): Promise<string> {
    return this.stores[index].listen();
  }

  connect(index: number, url: string): void {
    this.stores[index].connect(url);
  }

  /** Writes one op at replica `index`; returns when the write began and the writer's count after it. */
  async write(index: number, op: BenchOp): Promise<{ at: number; seq: number }> {
    const store = this.stores[index];
    const at = nowMs();
    await store.write([op]);
    return { at, seq: store.progress()[store.id] ?? 0 };
  }

  /** Whether every replica here has delivered `target`. */
  covers(target: Record<string, number>): boolean {
    return this.stores.every((s) => s.covers(target));
  }

  progress(): Record<string, number>[] {
    return this.stores.map((s) => s.progress());
  }

  /** Starts stamping, at every replica, each write that arrives from now on. */
  watch(): void {
    for (const store of this.stores) {
      const base = { ...store.progress() };
      const seen = { ...base };
      const stamps: Arrivals = {};
      const stop = store.onChange(() => {
        const now = store.progress();
        const at = nowMs();
        for (const [writer, count] of Object.entries(now)) {
          for (let n = seen[writer] ?? 0; n < count; n++) (stamps[writer] ??= []).push(at);
          if (count > (seen[writer] ?? 0)) seen[writer] = count;
        }
      });
      this.arrivals.push({ base, stamps, stop });
    }
  }

  takeArrivals(): { base: Record<string, number>; stamps: Arrivals }[] {
    const out = this.arrivals.splice(0).map(({ base, stamps, stop }) => {
      stop();
      return { base, stamps };
    });
    return out;
  }

  resetTraffic(): void {
    traffic.messages = 0;
    traffic.bytes = 0;
  }

  traffic(): { messages: number; bytes: number } {
    return { ...traffic };
  }

  /** CPU time of this process so far, in ms. */
  cpu(): number {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }

  async close(): Promise<void> {
    await Promise.all(this.stores.map((s) => s.close()));
  }
}

if (process.argv.includes(HOST_FLAG)) {
  countSends();
  const host = new ScaleHost();
  serve(
    {
      open: (system: System, fsync: FsyncPolicy, names: string[]) => host.open(system, fsync, names),
      listen: (index: number) => host.listen(index),
      connect: (index: number, url: string) => host.connect(index, url),
      write: (index: number, op: BenchOp) => host.write(index, op),
      covers: (target: Record<string, number>) => host.covers(target),
      progress: () => host.progress(),
      watch: () => host.watch(),
      takeArrivals: () => host.takeArrivals(),
      resetTraffic: () => host.resetTraffic(),
      traffic: () => host.traffic(),
      cpu: () => host.cpu(),
    },
    () => host.close(),
  );
}

type HostApi = {
  open(system: System, fsync: FsyncPolicy, names: string[]): Promise<string[]>;
  listen(index: number): Promise<string>;
  connect(index: number, url: string): void;
  write(index: number, op: BenchOp): Promise<{ at: number; seq: number }>;
  covers(target: Record<string, number>): boolean;
  progress(): Record<string, number>[];
  watch(): void;
  takeArrivals(): { base: Record<string, number>; stamps: Arrivals }[];
  resetTraffic(): void;
  traffic(): { messages: number; bytes: number };
  cpu(): number;
};

// ---- The parent side ---------------------------------------------------------------------------

/** A replica: the process hosting it, its index there, its id in progress clocks. */
interface Placed {
  readonly host: Child<HostApi>;
  readonly index: number;
  readonly id: string;
}

/** A small deterministic PRNG (mulberry32): every run builds the same mesh and the same writers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The links of a topology, as [dialer, listener] pairs of replica numbers. */
function links(topology: Topology): [number, number][] {
  if (topology === 'hub') return Array.from({ length: REPLICAS - 1 }, (_, i): [number, number] => [i + 1, 0]);
  const random = seeded(8);
  const out: [number, number][] = [];
  const has = new Set<string>();
  const add = (a: number, b: number) => {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (a === b || has.has(key)) return false;
    has.add(key);
    out.push([a, b]);
    return true;
  };
  for (let i = 0; i < REPLICAS; i++) add(i, (i + 1) % REPLICAS);
  for (let i = 0; i < REPLICAS; i++) while (!add(i, Math.floor(random() * REPLICAS)));
  return out;
}

/** Replica numbers per process: the hub alone, then the spokes; or five processes of ten. */
function placement(topology: Topology): number[][] {
  const groups: number[][] = topology === 'hub' ? [[0], [], [], [], []] : [[], [], [], [], []];
  const first = topology === 'hub' ? 1 : 0;
  const spread = topology === 'hub' ? 4 : 5;
  for (let r = first; r < REPLICAS; r++) groups[first + ((r - first) % spread)].push(r);
  return groups;
}

interface Run {
  /** Per write: ms from the write until one other replica, and until all, had it. */
  readonly firstOther: number[];
  readonly all: number[];
  readonly messagesPerOp: number;
  readonly bytesPerOp: number;
  /** CPU of the hub's process per write (hub topology), ms. */
  readonly hubCpuPerOp: number | null;
  readonly links: number;
}

const HOST_ENTRY = join(__dirname, 'scale.ts');

async function measure(contender: Contender, topology: Topology): Promise<Run> {
  const groups = placement(topology);
  const hosts = groups.map((_, i) => Child.start<HostApi>(HOST_ENTRY, [HOST_FLAG], `w8-${contender.figure}-${topology}-${i}`));
  try {
    const replicas: Placed[] = new Array<Placed>(REPLICAS);
    await Promise.all(
      groups.map(async (numbers, h) => {
        const ids = await hosts[h].call(
          'open',
          contender.system,
          contender.fsync,
          numbers.map((r) => `r${r}`),
        );
        numbers.forEach((r, index) => (replicas[r] = { host: hosts[h], index, id: ids[index] }));
      }),
    );
    const edges = links(topology);
    const listeners = [...new Set(edges.map(([, b]) => b))];
    const urls = new Map<number, string>();
    for (const r of listeners) urls.set(r, await replicas[r].host.call('listen', replicas[r].index));
    for (const [a, b] of edges) await replicas[a].host.call('connect', replicas[a].index, urls.get(b) as string);
    await settle(hosts, replicas);

    await Promise.all(hosts.map((h) => h.call('watch')));
    await Promise.all(hosts.map((h) => h.call('resetTraffic')));
    const hubCpuBefore = topology === 'hub' ? await hosts[0].call('cpu') : 0;
    const random = seeded(80);
    const writes: { writer: number; at: number; seq: number }[] = [];
    for (let i = 0; i < OPS; i++) {
      const writer = Math.floor(random() * REPLICAS);
      const { host, index } = replicas[writer];
      const op: BenchOp = { kind: 'register', key: `scale-${i % 25}`, value: `value-${i}` };
      writes.push({ writer, ...(await host.call('write', index, op)) });
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    const target: Record<string, number> = {};
    for (const { writer, seq } of writes) target[replicas[writer].id] = Math.max(target[replicas[writer].id] ?? 0, seq);
    await waitFor(
      async () => (await Promise.all(hosts.map((h) => h.call('covers', target)))).every(Boolean),
      120_000,
      'every replica has every write',
    );
    const hubCpu = topology === 'hub' ? (await hosts[0].call('cpu')) - hubCpuBefore : null;
    const sent = (await Promise.all(hosts.map((h) => h.call('traffic')))).reduce(
      (s, t) => ({ messages: s.messages + t.messages, bytes: s.bytes + t.bytes }),
      { messages: 0, bytes: 0 },
    );

    // Arrival stamps by replica number.
    const arrivals: { base: Record<string, number>; stamps: Arrivals }[] = new Array(REPLICAS);
    await Promise.all(
      groups.map(async (numbers, h) => {
        const taken = await hosts[h].call('takeArrivals');
        numbers.forEach((r, index) => (arrivals[r] = taken[index]));
      }),
    );
    const firstOther: number[] = [];
    const all: number[] = [];
    for (const { writer, at, seq } of writes) {
      const id = replicas[writer].id;
      const times: number[] = [];
      for (let r = 0; r < REPLICAS; r++) {
        if (r === writer) continue;
        const { base, stamps } = arrivals[r];
        const stamp = stamps[id]?.[seq - (base[id] ?? 0) - 1];
        if (stamp === undefined) throw new Error(`W8: replica ${r} has no arrival of ${id}:${seq}`);
        times.push(stamp - at);
      }
      firstOther.push(Math.min(...times));
      all.push(Math.max(...times));
    }
    return {
      firstOther,
      all,
      messagesPerOp: sent.messages / OPS,
      bytesPerOp: sent.bytes / OPS,
      hubCpuPerOp: hubCpu === null ? null : hubCpu / OPS,
      links: edges.length,
    };
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
  }
}

/** Every replica writes once, and all wait until every replica has every one: all links are up. */
async function settle(hosts: readonly Child<HostApi>[], replicas: readonly Placed[]): Promise<void> {
  const target: Record<string, number> = {};
  await Promise.all(
    replicas.map(async ({ host, index, id }, r) => {
      target[id] = (await host.call('write', index, { kind: 'register', key: `warm-${r}`, value: 'up' })).seq;
    }),
  );
  await waitFor(
    async () => (await Promise.all(hosts.map((h) => h.call('covers', target)))).every(Boolean),
    120_000,
    'the warm-up writes reached every replica',
  );
  // Heartbeats (every 2 s) carry which peers each node is connected to: relays depend on them.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`W8: not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runScale(workers: Workers): Promise<WorkloadResult> {
  // The child processes here are this module's own; the bench's workers are not used.
  void workers;
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const topology of ['hub', 'mesh'] as const) {
    const runs = new Map<Contender, Run[]>(CONTENDERS.map((c) => [c, []]));
    for (let repeat = 0; repeat < REPEATS; repeat++)
      for (const contender of CONTENDERS) (runs.get(contender) as Run[]).push(await measure(contender, topology));
    const shape =
      topology === 'hub' ? '1 hub, 49 spokes' : `random mesh of average degree ${((2 * links('mesh').length) / REPLICAS).toFixed(1)}`;
    const head = (metric: string, unit: string) => ({
      workload: '8 scale',
      metric: `${REPLICAS} replicas, ${shape}: ${metric}`,
      unit,
      higherIsBetter: false,
    });
    const samples = (pick: (run: Run) => number | null): Partial<Record<Figure, number[]>> => {
      const out: Partial<Record<Figure, number[]>> = {};
      for (const contender of CONTENDERS) {
        const values = (runs.get(contender) as Run[]).map(pick).filter((v): v is number => v !== null);
        if (values.length > 0) out[contender.figure] = values;
      }
      return out;
    };
    const oneHop = samples((r) => percentile(r.firstOther, 50));
    const allP50 = samples((r) => percentile(r.all, 50));
    const perOp = samples((r) => r.messagesPerOp);
    rows.push(
      repeatedRow(head('first other replica has a write, p50', 'ms'), oneHop),
      repeatedRow(head('all 50 have a write, p50', 'ms'), allP50),
      repeatedRow(
        head('all 50 have a write, p99', 'ms'),
        samples((r) => percentile(r.all, 99)),
      ),
      repeatedRow(head('WebSocket messages per write (all processes)', 'msgs'), perOp),
      repeatedRow(
        head('bytes sent per write (all processes)', 'B'),
        samples((r) => r.bytesPerOp),
      ),
    );
    if (topology === 'hub')
      rows.push(
        repeatedRow(
          head('hub process CPU per write', 'ms'),
          samples((r) => r.hubCpuPerOp),
        ),
      );
    const links_ = (runs.get(CONTENDERS[0]) as Run[])[0].links;
    for (const contender of CONTENDERS.filter((c) => c.system === 'minidote')) {
      const all = median(allP50[contender.figure] ?? []);
      const hop = median(oneHop[contender.figure] ?? []);
      targets.push({
        target: `W8 ${topology} (${contender.figure === 'minidote' ? 'as shipped' : 'fsync never'}): all 50 within 10x the one-hop p50`,
        measured: `${all.toFixed(2)} ms = ${(all / hop).toFixed(1)}x the first-other p50 (${hop.toFixed(2)} ms)`,
        met: all <= 10 * hop,
      });
      const messages = median(perOp[contender.figure] ?? []);
      targets.push({
        target: `W8 ${topology} (${contender.figure === 'minidote' ? 'as shipped' : 'fsync never'}): O(N) messages per write, at most one per link direction (${2 * links_})`,
        measured: `${messages.toFixed(1)} messages per write over ${links_} links`,
        met: messages <= 2 * links_,
      });
    }
  }
  notes.push(
    `W8: ${OPS} writes per run, one every ${INTERVAL_MS} ms from a random replica (the same sequence for every system); ${REPEATS} runs per system and topology; messages and bytes are every WebSocket send of every process during the writes (Minidote's heartbeats, every 2 s per link, included).`,
  );
  return { rows, targets, notes, failures: [] };
}
