import { join } from 'node:path';
import * as Y from 'yjs';
import { Replica } from '../../src/core/replica';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { loadAutomerge } from '../automerge/automergeLib';
import { BenchDoc, applyAutomergeOp, automergeValues, baseDocument } from '../automerge/automergeModel';
import { AutomergePeer } from '../automerge/automergePeer';
import { SIZES } from '../config';
import { nowMs, perSecond } from '../measure';
import { minidoteValues } from '../minidote/minidoteValues';
import { MinidoteLink } from '../minidote/minidoteWire';
import { OP_KINDS, OpKind, seriesOp, toUpdate } from '../ops';
import { Row, RowHead, TargetCheck, WorkloadResult, baselineTarget, row } from '../results';
import { checkAgainst, digestValues, expectedValues } from '../values';
import { applyYjsOp, yjsValues } from '../yjs/yjsModel';
import { directoryBytes, freshDir } from './tempDirs';
import { UpdateFile } from './updateFile';
import type { Workers } from './workers';

/**
 * Workload 1. Local apply: n single-op transactions on one replica, each producing the bytes that
 * would go on the wire (Minidote: its `txns` message, minidote/minidoteWire.ts; Yjs: the update from the `update` event; Automerge: the change, `getLastLocalChange`).
 * Remote apply: a second replica takes those bytes through its real inbound path (Minidote: message
 * decode + receive; Yjs: Y.applyUpdate; Automerge: applyChanges).
 * "Durable": Minidote with its log (fsync policy `never`: every record is written to the OS before
 * the update returns, the fsync cost is workload 6); Yjs with each update appended to a file the
 * same way (write per update, same frame format), since Yjs itself persists nothing; Automerge as
 * an automerge-repo Repo with NodeFS storage, timed until `repo.flush()` has saved everything.
 */
export interface ApplyFigures {
  readonly ops: number;
  readonly localMs: number;
  readonly remoteMs: number;
  /** Bytes of the replication payload per op. */
  readonly wireBytesPerOp: number;
  /** Bytes written to disk per op (durable runs only). */
  readonly diskBytesPerOp: number | null;
  /** The writer's and the reader's state (bench/values.ts digests). */
  readonly digests: readonly [string, string];
}

export async function minidoteApply(kind: OpKind, n: number, durable: boolean): Promise<ApplyFigures> {
  const nodes: MinidoteNode[] = [];
  const replicaFor = async (id: string): Promise<Replica> => {
    if (!durable) return new Replica(id);
    const node = await MinidoteNode.open({ dataDir: freshDir(`apply-${id}`), id, fsync: 'never' });
    nodes.push(node);
    return node.replica;
  };
  const writer = await replicaFor('writer');
  const link = new MinidoteLink();
  const messages: Uint8Array[] = [];
  writer.onChange((change) => {
    if (change.kind === 'transaction') messages.push(link.encode(change.transaction));
  });
  const localStart = nowMs();
  for (let i = 0; i < n; i++) await writer.update([toUpdate(seriesOp(kind, i))]);
  const localMs = nowMs() - localStart;

  const reader = await replicaFor('reader');
  const remoteStart = nowMs();
  for (const message of messages) for (const txn of link.decode(message)) reader.receive(txn);
  const remoteMs = nowMs() - remoteStart;

  const messageBytes = messages.reduce((sum, m) => sum + m.byteLength, 0);
  let diskBytesPerOp: number | null = null;
  if (durable) {
    const stats = nodes[0].storage.stats();
    diskBytesPerOp = stats.logBytes / Math.max(1, stats.logRecords);
  }
  const digests = [digestValues(minidoteValues(writer)), digestValues(minidoteValues(reader))] as const;
  for (const node of nodes) await node.close();
  return { ops: n, localMs, remoteMs, wireBytesPerOp: messageBytes / n, diskBytesPerOp, digests };
}

export async function yjsApply(kind: OpKind, n: number, durable: boolean): Promise<ApplyFigures> {
  const dir = durable ? freshDir('apply-yjs') : undefined;
  const writer = new Y.Doc();
  const writerFile = dir ? new UpdateFile(join(dir, 'writer.updates')) : undefined;
  const updates: Uint8Array[] = [];
  writer.on('update', (update: Uint8Array) => {
    writerFile?.append(update);
    updates.push(update);
  });
  const localStart = nowMs();
  for (let i = 0; i < n; i++) applyYjsOp(writer, seriesOp(kind, i));
  const localMs = nowMs() - localStart;

  const reader = new Y.Doc();
  const readerFile = dir ? new UpdateFile(join(dir, 'reader.updates')) : undefined;
  if (readerFile) reader.on('update', (update: Uint8Array) => readerFile.append(update));
  const remoteStart = nowMs();
  for (const update of updates) Y.applyUpdate(reader, update);
  const remoteMs = nowMs() - remoteStart;

  const wireBytes = updates.reduce((sum, u) => sum + u.byteLength, 0);
  const diskBytes = writerFile ? writerFile.close() : null;
  readerFile?.close();
  const digests = [digestValues(yjsValues(writer)), digestValues(yjsValues(reader))] as const;
  return { ops: n, localMs, remoteMs, wireBytesPerOp: wireBytes / n, diskBytesPerOp: diskBytes === null ? null : diskBytes / n, digests };
}

export async function automergeApply(kind: OpKind, n: number, durable: boolean): Promise<ApplyFigures> {
  const { A } = await loadAutomerge();
  const changes: Uint8Array[] = [];
  const lastChange = (doc: BenchDoc): Uint8Array => {
    const change = A.getLastLocalChange(doc);
    if (!change) throw new Error('automerge: a change produced no change bytes');
    return change;
  };
  if (!durable) {
    const base = baseDocument(A);
    let writer = A.load<BenchDoc>(base);
    const localStart = nowMs();
    for (let i = 0; i < n; i++) {
      const op = seriesOp(kind, i);
      writer = A.change(writer, (d: BenchDoc) => applyAutomergeOp(A, d, op));
      changes.push(lastChange(writer));
    }
    const localMs = nowMs() - localStart;
    let reader = A.load<BenchDoc>(base);
    const remoteStart = nowMs();
    for (const change of changes) [reader] = A.applyChanges(reader, [change]);
    const remoteMs = nowMs() - remoteStart;
    const wireBytes = changes.reduce((sum, c) => sum + c.byteLength, 0);
    return {
      ops: n,
      localMs,
      remoteMs,
      wireBytesPerOp: wireBytes / n,
      diskBytesPerOp: null,
      digests: [digestValues(automergeValues(writer)), digestValues(automergeValues(reader))],
    };
  }
  const writerDir = freshDir('apply-automerge-writer');
  const writer = await AutomergePeer.open(writerDir);
  const reader = await AutomergePeer.open(freshDir('apply-automerge-reader'));
  try {
    await Promise.all([writer.flush(), reader.flush()]);
    const bytesBefore = directoryBytes(writerDir);
    const localStart = nowMs();
    for (let i = 0; i < n; i++) {
      const op = seriesOp(kind, i);
      writer.handle.change((d: BenchDoc) => applyAutomergeOp(A, d, op));
      changes.push(lastChange(writer.handle.doc()));
    }
    await writer.flush();
    const localMs = nowMs() - localStart;
    const remoteStart = nowMs();
    for (const change of changes) reader.handle.update((doc: BenchDoc) => A.applyChanges(doc, [change])[0]);
    await reader.flush();
    const remoteMs = nowMs() - remoteStart;
    const wireBytes = changes.reduce((sum, c) => sum + c.byteLength, 0);
    const diskBytesPerOp = (directoryBytes(writerDir) - bytesBefore) / n;
    return {
      ops: n,
      localMs,
      remoteMs,
      wireBytesPerOp: wireBytes / n,
      diskBytesPerOp,
      digests: [digestValues(writer.values()), digestValues(reader.values())],
    };
  } finally {
    await Promise.all([writer.close(), reader.close()]);
  }
}

/** The fastest local and the fastest remote apply of repeated runs (sizes are the same in all). */
function best(runs: readonly ApplyFigures[]): ApplyFigures {
  return { ...runs[0], localMs: Math.min(...runs.map((r) => r.localMs)), remoteMs: Math.min(...runs.map((r) => r.remoteMs)) };
}

/** A failure for every run whose writer or reader did not end in the specified state. */
function divergences(what: string, kind: OpKind, runs: readonly ApplyFigures[]): string[] {
  return runs.flatMap((run) => {
    const expected = digestValues(expectedValues(Array.from({ length: run.ops }, (_, i) => seriesOp(kind, i))));
    return [checkAgainst(`${what}, writer`, run.digests[0], expected), checkAgainst(`${what}, reader`, run.digests[1], expected)].filter(
      (f): f is string => f !== null,
    );
  });
}

/** Parent side: one fresh child process per measurement, so no run inherits another's heap or JIT state. */
export async function runLocalApply(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.localOps;
  const automergeN = Math.min(n, SIZES.automergeOps);
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const failures: string[] = [];
  for (const durable of [false, true]) {
    const mode = durable ? 'durable log' : 'in memory';
    for (const kind of OP_KINDS) {
      const runs = {
        minidote: await workers.repeated((w) => w.call('minidoteApply', kind, n, durable)),
        yjs: await workers.repeated((w) => w.call('yjsApply', kind, n, durable)),
        automerge: await workers.repeated((w) => w.call('automergeApply', kind, automergeN, durable)),
      };
      for (const [system, systemRuns] of Object.entries(runs))
        failures.push(...divergences(`W1 ${kind} ${mode} ${system}`, kind, systemRuns));
      const m = best(runs.minidote);
      const y = best(runs.yjs);
      const a = best(runs.automerge);
      const head = (metric: string, unit: string, higherIsBetter: boolean): RowHead => ({
        workload: '1 apply',
        metric: `${kind}, ${mode}: ${metric}`,
        unit,
        higherIsBetter,
      });
      const local = row(head('local apply', 'ops/s', true), {
        minidote: perSecond(m.ops, m.localMs),
        yjs: perSecond(y.ops, y.localMs),
        automerge: perSecond(a.ops, a.localMs),
      });
      const remote = row(head('remote apply', 'ops/s', true), {
        minidote: perSecond(m.ops, m.remoteMs),
        yjs: perSecond(y.ops, y.remoteMs),
        automerge: perSecond(a.ops, a.remoteMs),
      });
      rows.push(
        local,
        remote,
        row(head('wire bytes per op', 'B', false), { minidote: m.wireBytesPerOp, yjs: y.wireBytesPerOp, automerge: a.wireBytesPerOp }),
      );
      if (durable)
        rows.push(
          row(head('disk bytes per op', 'B', false), { minidote: m.diskBytesPerOp, yjs: y.diskBytesPerOp, automerge: a.diskBytesPerOp }),
        );
      for (const r of [local, remote]) targets.push(baselineTarget(`W1 ${r.metric} ≥ 2x Yjs and Automerge`, r, 2));
    }
  }
  const notes = [
    `W1: ${n} operations per run for Minidote and Yjs, ${automergeN} for Automerge (figures are per second and per op).`,
    "W1 durable: Automerge saves through automerge-repo's NodeFS storage, which writes a compressed whole document or the changes since its last save (at most once per 100 ms, and on flush), not a record per change, and never fsyncs.",
  ];
  return { rows, targets, notes, failures };
}
