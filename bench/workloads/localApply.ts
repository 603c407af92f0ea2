import { join } from 'node:path';
import * as Y from 'yjs';
import { Replica } from '../../src/core/replica';
import { Transaction } from '../../src/core/transaction';
import { PeerMessage, decode } from '../../src/net/messages';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { SIZES } from '../config';
import { replicaValues } from '../minidote/minidoteStore';
import { nowMs, perSecond } from '../measure';
import { OP_KINDS, OpKind, seriesOp, toUpdate } from '../ops';
import { Row, TargetCheck, WorkloadResult } from '../results';
import { digest } from '../store';
import { applyYjsOp, yjsValues } from '../yjs/yjsModel';
import { freshDir } from './tempDirs';
import { UpdateFile } from './updateFile';
import type { Workers } from './workers';

/**
 * Workload 1. Local apply: n single-op transactions on one replica, each producing the bytes that
 * would go on the wire (Minidote: the transaction's JSON in a `txns` message, as PeerSession sends
 * it; Yjs: the update from the `update` event). Remote apply: a second replica takes those bytes
 * through its real inbound path (Minidote: schema decode + receive; Yjs: Y.applyUpdate).
 * "Durable": Minidote with its log (fsync policy `never`: every record is written to the OS before
 * the update returns, the fsync cost is workload 6); Yjs with each update appended to a file the
 * same way (write per update, same frame format), since Yjs itself persists nothing.
 */
export interface ApplyFigures {
  readonly localMs: number;
  readonly remoteMs: number;
  /** Bytes of the replication payload per op. */
  readonly wireBytesPerOp: number;
  /** Bytes of log written per op (durable runs only). */
  readonly diskBytesPerOp: number | null;
  readonly identical: boolean;
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
  const messages: string[] = [];
  writer.onChange((change) => {
    if (change.kind === 'transaction') messages.push(`{"t":"txns","txns":[${JSON.stringify(change.transaction)}]}`);
  });
  const localStart = nowMs();
  for (let i = 0; i < n; i++) await writer.update([toUpdate(seriesOp(kind, i))]);
  const localMs = nowMs() - localStart;

  const reader = await replicaFor('reader');
  const remoteStart = nowMs();
  for (const text of messages) {
    const message = decode(PeerMessage, text);
    if (!message.ok || message.value.t !== 'txns') throw new Error(`bench produced a bad message: ${text}`);
    for (const txn of message.value.txns) reader.receive(txn as Transaction);
  }
  const remoteMs = nowMs() - remoteStart;

  const identical = digest(replicaValues(writer)) === digest(replicaValues(reader));
  const wireBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0);
  let diskBytesPerOp: number | null = null;
  if (durable) {
    const stats = nodes[0].storage.stats();
    diskBytesPerOp = stats.logBytes / Math.max(1, stats.logRecords);
  }
  for (const node of nodes) await node.close();
  return { localMs, remoteMs, wireBytesPerOp: wireBytes / n, diskBytesPerOp, identical };
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

  const identical = digest(yjsValues(writer)) === digest(yjsValues(reader));
  const wireBytes = updates.reduce((sum, u) => sum + u.byteLength, 0);
  const diskBytes = writerFile ? writerFile.close() : null;
  readerFile?.close();
  return { localMs, remoteMs, wireBytesPerOp: wireBytes / n, diskBytesPerOp: diskBytes === null ? null : diskBytes / n, identical };
}

/** The fastest local and the fastest remote apply of repeated runs (sizes are the same in all). */
function best(runs: readonly ApplyFigures[]): ApplyFigures {
  return {
    ...runs[0],
    localMs: Math.min(...runs.map((r) => r.localMs)),
    remoteMs: Math.min(...runs.map((r) => r.remoteMs)),
    identical: runs.every((r) => r.identical),
  };
}

/** Parent side: one fresh child process per measurement, so no run inherits another's heap or JIT state. */
export async function runLocalApply(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.localOps;
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const durable of [false, true]) {
    const mode = durable ? 'durable log' : 'in memory';
    for (const kind of OP_KINDS) {
      const m = best(await workers.repeated((w) => w.call('minidoteApply', kind, n, durable)));
      const y = best(await workers.repeated((w) => w.call('yjsApply', kind, n, durable)));
      if (!m.identical || !y.identical) notes.push(`W1 ${kind} ${mode}: the second replica did NOT end identical (minidote ${m.identical}, yjs ${y.identical})`);
      const row = (metric: string, unit: string, higherIsBetter: boolean, mv: number | null, yv: number | null): Row => ({
        workload: '1 apply',
        metric: `${kind}, ${mode}: ${metric}`,
        unit,
        higherIsBetter,
        minidote: mv,
        yjs: yv,
        floor: null,
      });
      const local = row('local apply', 'ops/s', true, perSecond(n, m.localMs), perSecond(n, y.localMs));
      const remote = row('remote apply', 'ops/s', true, perSecond(n, m.remoteMs), perSecond(n, y.remoteMs));
      rows.push(local, remote, row('wire bytes per op', 'B', false, m.wireBytesPerOp, y.wireBytesPerOp));
      if (durable) rows.push(row('disk bytes per op', 'B', false, m.diskBytesPerOp, y.diskBytesPerOp));
      for (const r of [local, remote]) {
        const ratio = (r.minidote ?? 0) / (r.yjs ?? 1);
        targets.push({ target: `W1 ${r.metric} ≥ 2x Yjs`, measured: `${ratio.toFixed(2)}x`, met: ratio >= 2 });
      }
    }
  }
  return { rows, targets, notes };
}
