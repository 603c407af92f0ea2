import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { DEFAULT_FSYNC, FsyncPolicy } from '../../src/storage';
import { SIZES } from '../config';
import { nowMs, perSecond } from '../measure';
import { toUpdate } from '../ops';
import { Row, TargetCheck, WorkloadResult, row } from '../results';
import { freshDir } from './tempDirs';
import { Workers } from './workers';

/**
 * Workload 6. 32 concurrent writers on one node (in its process, through `node.update`), each
 * awaiting its acknowledgement before the next update, under an fsync policy. The floor is a serial
 * loop of write + fdatasync (what the log uses) of records of the same size: what one writer could
 * do without group commit.
 */
export interface DurableFigures {
  readonly ms: number;
  readonly txns: number;
  readonly fsyncs: number;
  readonly recordBytes: number;
}

async function writers(node: MinidoteNode, count: number, perWriter: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) await node.update([toUpdate({ kind: 'counter', key: `writer-${w}` })]);
    }),
  );
}

export async function durableThroughput(policy: FsyncPolicy, count: number, total: number): Promise<DurableFigures> {
  const node = await MinidoteNode.open({ dataDir: freshDir('durable'), id: 'durable', fsync: policy });
  try {
    await writers(node, count, 50);
    const fsyncsBefore = node.storage.stats().fsyncs;
    const perWriter = Math.ceil(total / count);
    const start = nowMs();
    await writers(node, count, perWriter);
    const ms = nowMs() - start;
    const stats = node.storage.stats();
    return {
      ms,
      txns: perWriter * count,
      fsyncs: stats.fsyncs - fsyncsBefore,
      recordBytes: stats.logBytes / Math.max(1, stats.logRecords),
    };
  } finally {
    await node.close();
  }
}

export function serialFsyncLoop(recordBytes: number, count: number): { ms: number } {
  const fd = openSync(join(freshDir('floor'), 'serial.log'), 'w');
  const record = Buffer.alloc(Math.round(recordBytes), 0x78);
  try {
    const start = nowMs();
    for (let i = 0; i < count; i++) {
      writeSync(fd, record);
      fdatasyncSync(fd);
    }
    return { ms: nowMs() - start };
  } finally {
    closeSync(fd);
  }
}

function policyName(policy: FsyncPolicy): string {
  return typeof policy === 'string' ? policy : `interval:${policy.intervalMs}`;
}

export async function runDurable(workers: Workers): Promise<WorkloadResult> {
  const total = SIZES.durableTxns;
  const count = SIZES.durableWriters;
  const policies: FsyncPolicy[] = [
    DEFAULT_FSYNC,
    ...(['always', 'never', { intervalMs: 1000 }] as FsyncPolicy[]).filter((p) => policyName(p) !== policyName(DEFAULT_FSYNC)),
  ];
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const floorCount = Math.min(total, 5_000);
  let floor: number | null = null;
  for (const policy of policies) {
    const runs = await workers.repeated((w) => w.call('durableThroughput', policy, count, total));
    const figures = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
    if (floor === null) {
      const serial = await workers.repeated((w) => w.call('serialFsyncLoop', figures.recordBytes, floorCount));
      floor = perSecond(floorCount, Math.min(...serial.map((s) => s.ms)));
    }
    const isDefault = policyName(policy) === policyName(DEFAULT_FSYNC);
    const rate = perSecond(figures.txns, figures.ms);
    rows.push(
      row(
        {
          workload: '6 durable',
          metric: `${count} writers, fsync ${policyName(policy)}${isDefault ? ' (default)' : ''}`,
          unit: 'txns/s',
          higherIsBetter: true,
        },
        { minidote: rate, floor },
        `fsync calls: ${figures.fsyncs} for ${figures.txns} txns; ${figures.recordBytes.toFixed(0)} B/record; Yjs, Automerge: no analogue`,
      ),
    );
    if (isDefault)
      targets.push({
        target: 'W6 ≥ 50k txns/s with 32 writers, default policy',
        measured: `${rate.toFixed(0)} txns/s`,
        met: rate >= 50_000,
      });
  }
  return {
    rows,
    targets,
    notes: [
      `W6: no analogue in either baseline: Yjs has no durable log of its own, and automerge-repo has no fsync policy and no acknowledgement of durability (its NodeFS storage writes files, at most once per 100 ms, and never fsyncs). This workload compares with the floor only (serial write + fdatasync, ${floorCount} records).`,
    ],
    failures: [],
  };
}
