import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { readFrame } from '../../src/storage/frames';
import { SIZES } from '../config';
import { nowMs } from '../measure';
import { replicaValues } from '../minidote/minidoteStore';
import { BenchOp, mixedOp, toUpdate } from '../ops';
import { Row, TargetCheck, WorkloadResult } from '../results';
import { digest } from '../store';
import { applyYjsOp, yjsValues } from '../yjs/yjsModel';
import { UpdateFile } from './updateFile';
import { freshDir } from './tempDirs';
import { Workers } from './workers';

/**
 * Workload 5. A data directory holding n log records (every type, 400 objects), and one holding a
 * snapshot plus a tail of records, are reopened in a fresh process: the time `MinidoteNode.open`
 * takes (then once more in the same process, to show what JIT warm-up costs). Yjs persists nothing itself; its counterpart is what y-indexeddb / y-leveldb do: read the
 * stored updates (here: the framed update file of workload 1) and apply them in one transaction, or
 * a state update (Y.encodeStateAsUpdate) plus the tail.
 */
export interface Prepared {
  readonly logOnly: string;
  readonly withSnapshot: string;
  readonly digest: string;
}

const GROUP = 100;

async function writeOps(write: (ops: BenchOp[]) => Promise<void>, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += GROUP) {
    const ops: BenchOp[] = [];
    for (let k = i; k < Math.min(to, i + GROUP); k++) ops.push(mixedOp(k));
    await write(ops);
  }
}

export async function prepareMinidote(n: number, tail: number): Promise<Prepared> {
  const dirs: string[] = [];
  let values = '';
  for (const snapshot of [false, true]) {
    const dataDir = freshDir(snapshot ? 'recover-snapshot' : 'recover-log');
    // No automatic snapshot: the first directory must hold every record as a log record.
    const node = await MinidoteNode.open({ dataDir, id: 'recovering', fsync: 'never', snapshotEvery: 10 * (n + tail) });
    const write = async (ops: BenchOp[]) => {
      await Promise.all(ops.map((op) => node.update([toUpdate(op)])));
    };
    await writeOps(write, 0, snapshot ? n - tail : n);
    if (snapshot) {
      await node.storage.writeSnapshot();
      await writeOps(write, n - tail, n);
    }
    values = digest(replicaValues(node.replica));
    await node.close();
    dirs.push(dataDir);
  }
  return { logOnly: dirs[0], withSnapshot: dirs[1], digest: values };
}

export interface Reopened {
  /** The first open in a fresh process: what a restart costs. */
  readonly ms: number;
  /** A second open in the same process, with the code already optimised by the JIT. */
  readonly warmMs: number;
  readonly digest: string;
  readonly replayed: number;
}

async function openMinidoteOnce(dataDir: string): Promise<Omit<Reopened, 'warmMs'>> {
  const start = nowMs();
  const node = await MinidoteNode.open({ dataDir });
  const ms = nowMs() - start;
  const result = { ms, digest: digest(replicaValues(node.replica)), replayed: node.storage.recovery.replayed };
  await node.close();
  return result;
}

export async function openMinidote(dataDir: string): Promise<Reopened> {
  const cold = await openMinidoteOnce(dataDir);
  const warm = await openMinidoteOnce(dataDir);
  return { ...cold, warmMs: warm.ms };
}

export async function prepareYjs(n: number, tail: number): Promise<Prepared> {
  const doc = new Y.Doc();
  const dir = freshDir('recover-yjs');
  const log = new UpdateFile(join(dir, 'log.updates'));
  doc.on('update', (update: Uint8Array) => log.append(update));
  for (let i = 0; i < n - tail; i++) applyYjsOp(doc, mixedOp(i));
  const withSnapshot = new UpdateFile(join(dir, 'snapshot.updates'));
  withSnapshot.append(Y.encodeStateAsUpdate(doc));
  doc.on('update', (update: Uint8Array) => withSnapshot.append(update));
  for (let i = n - tail; i < n; i++) applyYjsOp(doc, mixedOp(i));
  log.close();
  withSnapshot.close();
  return { logOnly: log.path, withSnapshot: withSnapshot.path, digest: digest(yjsValues(doc)) };
}

export function openYjs(path: string): Reopened {
  const cold = openYjsOnce(path);
  return { ...cold, warmMs: openYjsOnce(path).ms };
}

function openYjsOnce(path: string): Omit<Reopened, 'warmMs'> {
  const start = nowMs();
  const data = readFileSync(path);
  const doc = new Y.Doc();
  let replayed = 0;
  doc.transact(() => {
    let frame = readFrame(data, 0);
    while (frame.kind === 'frame') {
      Y.applyUpdate(doc, frame.payload);
      replayed++;
      frame = readFrame(data, frame.next);
    }
  });
  const ms = nowMs() - start;
  return { ms, digest: digest(yjsValues(doc)), replayed };
}

function fastest(runs: readonly Reopened[]): Reopened {
  return { ...runs[0], ms: Math.min(...runs.map((r) => r.ms)), warmMs: Math.min(...runs.map((r) => r.warmMs)), digest: runs.every((r) => r.digest === runs[0].digest) ? runs[0].digest : 'differs' };
}

export async function runRecovery(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.recoveryRecords;
  const tail = SIZES.recoveryTail;
  const m = await workers.once((w) => w.call('prepareMinidote', n, tail));
  const y = await workers.once((w) => w.call('prepareYjs', n, tail));
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const [what, mPath, yPath] of [
    [`${n} log records`, m.logOnly, y.logOnly],
    [`snapshot + ${tail} records`, m.withSnapshot, y.withSnapshot],
  ] as const) {
    const mo = fastest(await workers.repeated((w) => w.call('openMinidote', mPath)));
    const yo = fastest(await workers.repeated((w) => w.call('openYjs', yPath)));
    rows.push(
      { workload: '5 recovery', metric: `reopen ${what}, fresh process`, unit: 'ms', higherIsBetter: false, minidote: mo.ms, yjs: yo.ms, floor: null },
      { workload: '5 recovery', metric: `reopen ${what}, again in the same process`, unit: 'ms', higherIsBetter: false, minidote: mo.warmMs, yjs: yo.warmMs, floor: null },
    );
    if (mo.digest !== m.digest || yo.digest !== y.digest) notes.push(`W5 ${what}: recovered state differs from the state written (minidote ${mo.digest === m.digest}, yjs ${yo.digest === y.digest})`);
    if (what.endsWith('log records')) {
      const perSecond = (mo.replayed * 1000) / mo.ms;
      const projected = (100_000 / perSecond) * 1000;
      targets.push({
        target: 'W5 recovery of 100k records under 1 s',
        measured: `${mo.ms.toFixed(0)} ms for ${mo.replayed} records (${projected.toFixed(0)} ms per 100k)`,
        met: projected < 1000,
      });
    }
  }
  return { rows, targets, notes };
}
