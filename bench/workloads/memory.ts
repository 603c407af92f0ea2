import * as Y from 'yjs';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { Replica } from '../../src/core/replica';
import { VectorClock } from '../../src/core/vectorClock';
import { Transaction } from '../../src/core/transaction';
import { loadAutomerge } from '../automerge/automergeLib';
import { BenchDoc, applyAutomergeOp, baseDocument } from '../automerge/automergeModel';
import { SIZES } from '../config';
import { System } from '../proc/peerHost';
import { BenchOp, SHARED_OBJECTS, toUpdate } from '../ops';
import { Row, WorkloadResult, row } from '../results';
import { applyYjsOp } from '../yjs/yjsModel';
import { Workers } from './workers';

/**
 * Workload 7, in fresh processes started with --expose-gc; memory is the JS heap plus external
 * memory (Automerge's WebAssembly memory is external), after full GCs.
 * - One replica holding a set of n elements added by one writer, per 100k elements.
 * - What each further writer costs: a replica that received one set element from each of k
 *   writers, minus one that received the same k elements from one writer. Same user data, so the
 *   difference is what the system keeps per writer (its clock / state vector entry, and whatever
 *   per-writer structure it has), per 1k writers.
 * - The encoded clock of that replica, per 1k writers: Minidote's first heartbeat on a link (its
 *   clock in the binary link codec, replica ids spelled out once), Yjs's state vector.
 */
function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory workload needs node --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

export interface MemoryFigures {
  readonly bytes: number;
  /** Encoded size of the replica's clock / state vector (null: the system has none). */
  readonly clockBytes: number | null;
}

interface Built {
  readonly clockBytes: number | null;
  readonly keep: unknown;
}

/**
 * Builds the structure twice: a small one first, so that code, inline caches and lazily created
 * internals exist before the baseline is taken, then the measured one; only the second is counted.
 */
async function measure(build: (size: number) => Promise<Built>, size: number): Promise<MemoryFigures> {
  const warm = await build(Math.min(1_000, size));
  const before = collect();
  const built = await build(size);
  const bytes = collect() - before;
  void warm.keep;
  void built.keep;
  return { bytes, clockBytes: built.clockBytes };
}

/** The bytes of a heartbeat carrying `clock` on a new link. */
function heartbeatBytes(clock: VectorClock): number {
  return new LinkEncoder().clock(clock).reduce((sum, message) => sum + message.byteLength, 0);
}

const addOp = (i: number): BenchOp => ({ kind: 'set', key: SHARED_OBJECTS.sets[1], element: `element-${i}`, remove: false });

/** One writer adds `size` elements to one set, in its own transaction each. */
async function oneWriter(system: System, size: number): Promise<Built> {
  if (system === 'minidote') {
    const replica = new Replica('holder');
    for (let i = 0; i < size; i++) await replica.update([toUpdate(addOp(i))]);
    return { clockBytes: heartbeatBytes(replica.clock), keep: replica };
  }
  if (system === 'yjs') {
    const doc = new Y.Doc();
    for (let i = 0; i < size; i++) applyYjsOp(doc, addOp(i));
    return { clockBytes: Y.encodeStateVector(doc).length, keep: doc };
  }
  const { A } = await loadAutomerge();
  let doc = A.load<BenchDoc>(baseDocument(A));
  for (let i = 0; i < size; i++) doc = A.change(doc, (d: BenchDoc) => applyAutomergeOp(A, d, addOp(i)));
  return { clockBytes: null, keep: doc };
}

/** `size` writers add one element each; a holder receives them all (each concurrent with the rest). */
async function manyWriters(system: System, size: number): Promise<Built> {
  if (system === 'minidote') {
    const holder = new Replica('holder');
    for (let i = 0; i < size; i++) {
      const writer = new Replica(`writer-${i}`);
      let txn: Transaction | undefined;
      writer.onChange((change) => {
        if (change.kind === 'transaction') txn = change.transaction;
      });
      await writer.update([toUpdate(addOp(i))]);
      if (!txn) throw new Error('minidote: an update produced no transaction');
      holder.receive(txn);
    }
    return { clockBytes: heartbeatBytes(holder.clock), keep: holder };
  }
  if (system === 'yjs') {
    const holder = new Y.Doc();
    for (let i = 0; i < size; i++) {
      const writer = new Y.Doc();
      writer.clientID = i + 1;
      applyYjsOp(writer, addOp(i));
      Y.applyUpdate(holder, Y.encodeStateAsUpdate(writer));
      writer.destroy();
    }
    return { clockBytes: Y.encodeStateVector(holder).length, keep: holder };
  }
  const { A } = await loadAutomerge();
  const base = A.load<BenchDoc>(baseDocument(A));
  let holder = A.clone(base);
  for (let i = 0; i < size; i++) {
    const writer = A.change(A.clone(base, { actor: (0x10000000 + i).toString(16) }), (d: BenchDoc) => applyAutomergeOp(A, d, addOp(i)));
    const change = A.getLastLocalChange(writer);
    if (!change) throw new Error('automerge: a change produced no change bytes');
    [holder] = A.applyChanges(holder, [change]);
    A.free(writer);
  }
  return { clockBytes: null, keep: holder };
}

export function setMemory(system: System, n: number): Promise<MemoryFigures> {
  return measure((size) => oneWriter(system, size), n);
}

export function writersMemory(system: System, k: number): Promise<MemoryFigures> {
  return measure((size) => manyWriters(system, size), k);
}

export async function runMemory(workers: Workers): Promise<WorkloadResult> {
  const gcFlags = ['--expose-gc'];
  const systems: readonly System[] = ['minidote', 'yjs', 'automerge'];
  const sizeFor = (system: System, full: number) => (system === 'automerge' ? Math.min(full, SIZES.automergeOps) : full);
  const set: Partial<Record<System, number>> = {};
  const perWriter: Partial<Record<System, number>> = {};
  const clock: Partial<Record<System, number | null>> = {};
  for (const system of systems) {
    const n = sizeFor(system, SIZES.memorySetElements);
    const k = sizeFor(system, SIZES.memoryClockReplicas);
    const elements = await workers.once((w) => w.call('setMemory', system, n), gcFlags);
    set[system] = ((elements.bytes / n) * 100_000) / 1e6;
    const single = n === k ? elements : await workers.once((w) => w.call('setMemory', system, k), gcFlags);
    const many = await workers.once((w) => w.call('writersMemory', system, k), gcFlags);
    perWriter[system] = (((many.bytes - single.bytes) / k) * 1_000) / 1e3;
    clock[system] = many.clockBytes === null ? null : ((many.clockBytes / k) * 1_000) / 1e3;
  }
  const head = (metric: string, unit: string) => ({ workload: '7 memory', metric, unit, higherIsBetter: false });
  const rows: Row[] = [
    row(head('memory per 100k set elements (one writer)', 'MB'), set),
    row(head('memory per 1k writers heard from (k writers × 1 element, minus 1 writer × k elements)', 'kB'), perWriter),
    row(
      head('encoded clock / state vector per 1k writers', 'kB'),
      clock,
      'Minidote: a heartbeat on a new link; Automerge: no analogue (no version vector; its sync exchanges heads and a Bloom filter)',
    ),
  ];
  const automergeN = sizeFor('automerge', SIZES.memorySetElements);
  const automergeK = sizeFor('automerge', SIZES.memoryClockReplicas);
  return {
    rows,
    targets: [],
    notes: [
      `W7: ${SIZES.memorySetElements} set elements and ${SIZES.memoryClockReplicas} writers (Automerge: ${automergeN} and ${automergeK}); JS heap + external memory after two full GCs, in a fresh process per figure.`,
    ],
    failures: [],
  };
}
