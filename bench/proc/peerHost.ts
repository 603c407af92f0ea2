import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FsyncPolicy } from '../../src/storage';
import { nowMs, yieldToIo } from '../measure';
import { MinidoteStore } from '../minidote/minidoteStore';
import { BenchOp, burstOp } from '../ops';
import { AutomergePeer } from '../automerge/automergePeer';
import { BenchStore, ProgressClock } from '../store';
import { digestValues } from '../values';
import { YjsPeer } from '../yjs/yjsPeer';
import { freshDir } from '../workloads/tempDirs';

export type System = 'minidote' | 'yjs' | 'automerge';

/** Minidote as a node (its log, with `fsync`), Yjs in memory, Automerge as a repo with NodeFS storage. */
async function openStore(system: System, id: string, fsync: FsyncPolicy): Promise<BenchStore> {
  switch (system) {
    case 'minidote':
      return MinidoteStore.open(freshDir(`node-${id}`), id, fsync);
    case 'yjs':
      return new YjsPeer();
    case 'automerge':
      return AutomergePeer.open(freshDir(`repo-${id}`));
  }
}

/**
 * The replica a child process hosts for the network workloads (one replica per process, as in a
 * real deployment), plus the raw WebSocket echo server that gives the latency floor.
 */
export class PeerHost {
  private store: BenchStore | undefined;
  private armed: Promise<number> | undefined;
  private arrivals: (() => number[]) | undefined;
  private echoServer: WebSocketServer | undefined;

  async open(system: System, id: string, fsync: FsyncPolicy): Promise<string> {
    this.store = await openStore(system, id, fsync);
    return this.store.id;
  }

  listen(): Promise<string> {
    return this.opened().listen();
  }

  connect(url: string): void {
    this.opened().connect(url);
  }

  disconnect(url: string): void {
    this.opened().disconnect(url);
  }

  /** Issues the ops as one transaction each; returns the time just before the first was issued. */
  async write(ops: BenchOp[]): Promise<number> {
    const start = nowMs();
    await this.opened().write(ops);
    return start;
  }

  /**
   * This replica's share of a burst: `count` updates in groups of `group` issued together, each
   * group awaited (an acknowledged update is one the node has logged), then a yield so sockets flow.
   */
  async burst(replica: number, count: number, group: number): Promise<{ start: number; end: number }> {
    const store = this.opened();
    const start = nowMs();
    for (let j = 0; j < count; j += group) {
      const ops: BenchOp[] = [];
      for (let k = j; k < Math.min(count, j + group); k++) ops.push(burstOp(replica, k));
      await store.write(ops);
      await yieldToIo();
    }
    return { start, end: nowMs() };
  }

  /**
   * Writer side of the latency workload: `count` one-op updates, one every `intervalMs` (so none
   * queues behind another), with no IPC during the run. Returns the time each update call began.
   */
  async paced(ops: BenchOp[], intervalMs: number): Promise<number[]> {
    const store = this.opened();
    const starts: number[] = [];
    for (const op of ops) {
      starts.push(nowMs());
      await store.write([op]);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return starts;
  }

  /** Observer side: from now on, stamps the delivery of each further transaction of `writer`. */
  recordArrivals(writer: string): void {
    const store = this.opened();
    let seen = store.progress()[writer] ?? 0;
    const stamps: number[] = [];
    const stop = store.onChange(() => {
      const now = store.progress()[writer] ?? 0;
      if (now <= seen) return;
      const at = nowMs();
      for (; seen < now; seen++) stamps.push(at);
    });
    this.arrivals = () => {
      stop();
      return stamps;
    };
  }

  takeArrivals(): number[] {
    if (!this.arrivals) throw new Error('takeArrivals() without recordArrivals()');
    return this.arrivals();
  }

  /** Starts watching for `target`; `reached` then resolves with the time it was delivered here. */
  arm(target: ProgressClock): void {
    const store = this.opened();
    this.armed = new Promise((resolve) => {
      if (store.covers(target)) {
        resolve(nowMs());
        return;
      }
      const stop = store.onChange(() => {
        if (!store.covers(target)) return;
        const at = nowMs();
        stop();
        resolve(at);
      });
    });
  }

  reached(): Promise<number> {
    if (!this.armed) throw new Error('reached() without arm()');
    return this.armed;
  }

  progress(): ProgressClock {
    return this.opened().progress();
  }

  /** How often each kind of log line appeared (Minidote nodes only): retransmissions, snapshots. */
  logCounts(): Record<string, number> {
    return this.store instanceof MinidoteStore ? Object.fromEntries(this.store.logCounts) : {};
  }

  digest(): string {
    return digestValues(this.opened().values());
  }

  async startEcho(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    this.echoServer = server;
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await this.store?.close();
    const echo = this.echoServer;
    if (echo) {
      for (const client of echo.clients) client.terminate();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  }

  private opened(): BenchStore {
    if (!this.store) throw new Error('open() first');
    return this.store;
  }
}
