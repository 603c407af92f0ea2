import type { BinaryDocumentId } from '@automerge/automerge-repo';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { readFrame } from '../../src/storage/frames';
import { loadAutomerge } from '../automerge/automergeLib';
import { BenchDoc, DOCUMENT_BYTES, automergeValues } from '../automerge/automergeModel';
import { AutomergePeer } from '../automerge/automergePeer';
import { SIZES } from '../config';
import { nowMs, yieldToIo } from '../measure';
import { minidoteValues } from '../minidote/minidoteValues';
import { BenchOp, mixedOp, toUpdate } from '../ops';
import { Row, TargetCheck, WorkloadResult, row } from '../results';
import { checkAgainst, digestValues, expectedValues } from '../values';
import { applyYjsOp, yjsValues } from '../yjs/yjsModel';
import { UpdateFile } from './updateFile';
import { freshDir } from './tempDirs';
import { Workers } from './workers';

/**
 * Workload 5. A data directory holding n log records (every type, 400 objects), and one holding a
 * snapshot plus a tail of records, are reopened in a fresh process: the time `MinidoteNode.open`
 * takes (then once more in the same process, to show what JIT warm-up costs). Yjs persists
 * nothing itself; its counterpart is what y-indexeddb / y-leveldb do: read the stored updates
 * (here: the framed update file of workload 1) and apply them in one transaction, or a state
 * update (Y.encodeStateAsUpdate) plus the tail. Automerge: a Repo over its NodeFS storage finds
 * the document; its storage decides itself how it keeps the n changes (the changes since the last
 * save, every 100 ms, compacted into one whole document once they outgrow it), and the second
 * directory starts from a whole saved document and then takes the tail the same way.
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
    values = digestValues(minidoteValues(node.replica));
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
  const result = { ms, digest: digestValues(minidoteValues(node.replica)), replayed: node.storage.recovery.replayed };
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
  return { logOnly: log.path, withSnapshot: withSnapshot.path, digest: digestValues(yjsValues(doc)) };
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
  return { ms, digest: digestValues(yjsValues(doc)), replayed };
}

/** Writes ops `from`..`to` through the repo, yielding between groups so that its timed saves run. */
async function writeThroughRepo(peer: AutomergePeer, from: number, to: number): Promise<void> {
  await writeOps(
    async (ops) => {
      await peer.write(ops);
      await yieldToIo();
    },
    from,
    to,
  );
}

export async function prepareAutomerge(n: number, tail: number): Promise<Prepared> {
  const { A } = await loadAutomerge();
  const logOnly = freshDir('recover-automerge-log');
  const peer = await AutomergePeer.open(logOnly);
  await writeThroughRepo(peer, 0, n - tail);
  const whole = A.save(peer.handle.doc());
  await writeThroughRepo(peer, n - tail, n);
  await peer.flush();
  const values = digestValues(peer.values());
  await peer.close();

  const withSnapshot = freshDir('recover-automerge-snapshot');
  const resumed = await AutomergePeer.open(withSnapshot, whole);
  await resumed.flush();
  await writeThroughRepo(resumed, n - tail, n);
  await resumed.flush();
  await resumed.close();
  return { logOnly, withSnapshot, digest: values };
}

async function openAutomergeOnce(dataDir: string): Promise<Omit<Reopened, 'warmMs'>> {
  const lib = await loadAutomerge();
  const start = nowMs();
  const repo = new lib.repo.Repo({ storage: new lib.nodefs.NodeFSStorageAdapter(dataDir), network: [] });
  const handle = await repo.find<BenchDoc>(lib.repo.interpretAsDocumentId(DOCUMENT_BYTES as BinaryDocumentId));
  const doc = handle.doc();
  const ms = nowMs() - start;
  const result = { ms, digest: digestValues(automergeValues(doc)), replayed: lib.A.stats(doc).numChanges };
  await repo.shutdown();
  return result;
}

export async function openAutomerge(dataDir: string): Promise<Reopened> {
  const cold = await openAutomergeOnce(dataDir);
  const warm = await openAutomergeOnce(dataDir);
  return { ...cold, warmMs: warm.ms };
}

/** How automerge-repo's storage holds a document: its snapshot and incremental files. */
export function automergeChunks(dataDir: string): string {
  const count = (kind: string) => {
    let total = 0;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (dir.split('/').includes(kind)) total++;
      }
    };
    walk(dataDir);
    return total;
  };
  return `${count('snapshot')} snapshot + ${count('incremental')} incremental files`;
}

function fastest(runs: readonly Reopened[]): Reopened {
  return {
    ...runs[0],
    ms: Math.min(...runs.map((r) => r.ms)),
    warmMs: Math.min(...runs.map((r) => r.warmMs)),
    digest: runs.every((r) => r.digest === runs[0].digest) ? runs[0].digest : 'differs',
  };
}

export async function runRecovery(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.recoveryRecords;
  const tail = SIZES.recoveryTail;
  const expected = digestValues(expectedValues(Array.from({ length: n }, (_, i) => mixedOp(i))));
  const m = await workers.once((w) => w.call('prepareMinidote', n, tail));
  const y = await workers.once((w) => w.call('prepareYjs', n, tail));
  const a = await workers.once((w) => w.call('prepareAutomerge', n, tail));
  const failures = [
    checkAgainst('W5 minidote, as written', m.digest, expected),
    checkAgainst('W5 yjs, as written', y.digest, expected),
    checkAgainst('W5 automerge, as written', a.digest, expected),
  ].filter((f): f is string => f !== null);
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const [what, mPath, yPath, aPath] of [
    [`${n} log records`, m.logOnly, y.logOnly, a.logOnly],
    [`snapshot + ${tail} records`, m.withSnapshot, y.withSnapshot, a.withSnapshot],
  ] as const) {
    const mo = fastest(await workers.repeated((w) => w.call('openMinidote', mPath)));
    const yo = fastest(await workers.repeated((w) => w.call('openYjs', yPath)));
    const ao = fastest(await workers.repeated((w) => w.call('openAutomerge', aPath)));
    for (const [system, reopened] of [
      ['minidote', mo],
      ['yjs', yo],
      ['automerge', ao],
    ] as const) {
      const failure = checkAgainst(`W5 ${what}, ${system} reopened`, reopened.digest, expected);
      if (failure) failures.push(failure);
    }
    const head = (when: string) => ({ workload: '5 recovery', metric: `reopen ${what}, ${when}`, unit: 'ms', higherIsBetter: false });
    rows.push(
      row(head('fresh process'), { minidote: mo.ms, yjs: yo.ms, automerge: ao.ms }),
      row(head('again in the same process'), { minidote: mo.warmMs, yjs: yo.warmMs, automerge: ao.warmMs }),
    );
    notes.push(`W5 ${what}: Automerge's storage held the document as ${automergeChunks(aPath)}.`);
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
  return { rows, targets, notes, failures };
}
