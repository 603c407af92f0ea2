import { FsyncPolicy } from '../../src/storage';
import { BenchOp, OpKind } from '../ops';
import { ProgressClock } from '../store';
import { durableThroughput, serialFsyncLoop } from '../workloads/durable';
import { automergeApply, minidoteApply, yjsApply } from '../workloads/localApply';
import { setMemory, writersMemory } from '../workloads/memory';
import { openAutomerge, openMinidote, openYjs, prepareAutomerge, prepareMinidote, prepareYjs } from '../workloads/recovery';
import { PeerHost, System } from './peerHost';
import { startProfile, stopProfile } from './profiler';
import { serve } from './rpc';

/**
 * Entry of every child process the bench starts. What a child can do is this object: host one
 * replica for the network workloads, or run one self-contained measurement.
 */
const host = new PeerHost();

const api = {
  open: (system: System, id: string, fsync: FsyncPolicy) => host.open(system, id, fsync),
  listen: () => host.listen(),
  connect: (url: string) => host.connect(url),
  disconnect: (url: string) => host.disconnect(url),
  write: (ops: BenchOp[]) => host.write(ops),
  burst: (replica: number, count: number, group: number) => host.burst(replica, count, group),
  paced: (ops: BenchOp[], intervalMs: number) => host.paced(ops, intervalMs),
  recordArrivals: (writer: string) => host.recordArrivals(writer),
  takeArrivals: () => host.takeArrivals(),
  arm: (target: ProgressClock) => host.arm(target),
  reached: () => host.reached(),
  progress: () => host.progress(),
  digest: () => host.digest(),
  logCounts: () => host.logCounts(),
  startProfile: () => startProfile(),
  stopProfile: (name: string) => stopProfile(name),
  startEcho: () => host.startEcho(),
  minidoteApply: (kind: OpKind, n: number, durable: boolean) => minidoteApply(kind, n, durable),
  yjsApply: (kind: OpKind, n: number, durable: boolean) => yjsApply(kind, n, durable),
  automergeApply: (kind: OpKind, n: number, durable: boolean) => automergeApply(kind, n, durable),
  prepareMinidote: (n: number, tail: number) => prepareMinidote(n, tail),
  prepareYjs: (n: number, tail: number) => prepareYjs(n, tail),
  prepareAutomerge: (n: number, tail: number) => prepareAutomerge(n, tail),
  openMinidote: (dataDir: string) => openMinidote(dataDir),
  openYjs: (path: string) => openYjs(path),
  openAutomerge: (dataDir: string) => openAutomerge(dataDir),
  durableThroughput: (policy: FsyncPolicy, writers: number, total: number) => durableThroughput(policy, writers, total),
  serialFsyncLoop: (recordBytes: number, count: number) => serialFsyncLoop(recordBytes, count),
  setMemory: (system: System, n: number) => setMemory(system, n),
  writersMemory: (system: System, k: number) => writersMemory(system, k),
};

export type WorkerApi = typeof api;

serve(api, () => host.close());
