import * as Y from 'yjs';
import { Replica } from '../../src/core/replica';
import { SIZES } from '../config';
import { System } from '../proc/peerHost';
import { toUpdate } from '../ops';
import { Row, WorkloadResult } from '../results';
import { applyYjsOp } from '../yjs/yjsModel';
import { Workers } from './workers';

/**
 * Workload 7. Heap growth (after full GCs, in a fresh process started with --expose-gc) of one
 * replica holding a set of n elements, and of one replica that has heard from k replicas (one
 * counter increment each, so its clock has k entries), scaled to per 100k elements / per 1k
 * replicas. k is 10x the 1k, so that the figure stands well above the heap's noise.
 */
function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory workload needs node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface MemoryFigures {
  readonly heapBytes: number;
  /** Encoded size of the replica's clock / state vector. */
  readonly clockBytes: number;
}

/**
 * Builds the structure twice: a small one first, so that code, inline caches and lazily created
 * internals exist before the baseline is taken, then the measured one; only the second is counted.
 */
async function measure(build: (size: number) => Promise<{ clockBytes: number; keep: unknown }>, size: number): Promise<MemoryFigures> {
  const warm = await build(Math.min(1_000, size));
  void warm.keep;
  const before = collect();
  const built = await build(size);
  const heapBytes = collect() - before;
  void built.keep;
  return { heapBytes, clockBytes: built.clockBytes };
}

export function setMemory(system: System, n: number): Promise<MemoryFigures> {
  const op = (i: number) => ({ kind: 'set', key: 'big', element: `element-${i}`, remove: false }) as const;
  return measure(async (size) => {
    if (system === 'minidote') {
      const replica = new Replica('holder');
      for (let i = 0; i < size; i++) await replica.update([toUpdate(op(i))]);
      return { clockBytes: JSON.stringify(replica.clock).length, keep: replica };
    }
    const doc = new Y.Doc();
    for (let i = 0; i < size; i++) applyYjsOp(doc, op(i));
    return { clockBytes: Y.encodeStateVector(doc).length, keep: doc };
  }, n);
}

export function clockMemory(system: System, k: number): Promise<MemoryFigures> {
  return measure(async (size) => {
    if (system === 'minidote') {
      const replica = new Replica('holder');
      for (let i = 0; i < size; i++) {
        const origin = `replica-${i}`;
        replica.receive({ origin, clock: { [origin]: 1 }, at: 0, effects: [{ bucket: 'bench', key: 'shared', type: 'counter_pn', effect: 1 }] });
      }
      return { clockBytes: JSON.stringify(replica.clock).length, keep: replica };
    }
    const doc = new Y.Doc();
    for (let i = 0; i < size; i++) {
      const other = new Y.Doc();
      other.clientID = i + 1;
      applyYjsOp(other, { kind: 'counter', key: 'shared' });
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
      other.destroy();
    }
    return { clockBytes: Y.encodeStateVector(doc).length, keep: doc };
  }, k);
}

export async function runMemory(workers: Workers): Promise<WorkloadResult> {
  const n = SIZES.memorySetElements;
  const k = SIZES.memoryClockReplicas;
  const gcFlags = ['--expose-gc'];
  const set = { minidote: await workers.once((w) => w.call('setMemory', 'minidote', n), gcFlags), yjs: await workers.once((w) => w.call('setMemory', 'yjs', n), gcFlags) };
  const clock = { minidote: await workers.once((w) => w.call('clockMemory', 'minidote', k), gcFlags), yjs: await workers.once((w) => w.call('clockMemory', 'yjs', k), gcFlags) };
  const row = (metric: string, unit: string, m: number, y: number): Row => ({ workload: '7 memory', metric, unit, higherIsBetter: false, minidote: m, yjs: y, floor: null });
  const rows = [
    row('heap per 100k set elements', 'MB', (set.minidote.heapBytes / n) * 100_000 / 1e6, (set.yjs.heapBytes / n) * 100_000 / 1e6),
    row('heap per 1k replicas in the clock (one counter increment each)', 'kB', (clock.minidote.heapBytes / k) * 1_000 / 1e3, (clock.yjs.heapBytes / k) * 1_000 / 1e3),
    row('encoded clock / state vector per 1k replicas', 'kB', (clock.minidote.clockBytes / k) * 1_000 / 1e3, (clock.yjs.clockBytes / k) * 1_000 / 1e3),
  ];
  return { rows, targets: [], notes: [`W7: ${n} set elements, ${k} replicas; heap measured after two full GCs in a fresh process.`] };
}
