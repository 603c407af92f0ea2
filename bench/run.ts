import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPEATS, SCALE } from './config';
import { killAllChildren } from './proc/rpc';
import { Report, writeReport } from './report';
import { Row, TargetCheck, WorkloadResult } from './results';
import { runBurst } from './workloads/burst';
import { runCatchUp } from './workloads/catchUp';
import { runDurable } from './workloads/durable';
import { runLatency } from './workloads/latency';
import { runLocalApply } from './workloads/localApply';
import { runMemory } from './workloads/memory';
import { runRecovery } from './workloads/recovery';
import { createRunRoot, removeRunRoot } from './workloads/tempDirs';
import { Workers } from './workloads/workers';

/**
 * `npm run bench`: the workloads of issue 8 for Minidote and the Yjs baseline, one after the
 * other, on 127.0.0.1, every process and directory created and removed here. Writes
 * bench/results.md and bench/results.json. MINIDOTE_BENCH_SCALE shrinks the sizes,
 * MINIDOTE_BENCH_REPEATS sets the repeats of single-process workloads, MINIDOTE_BENCH_ONLY=1,3 runs
 * some workloads and prints them without writing the result files, MINIDOTE_BENCH_PROFILE=DIR
 * writes CPU profiles of the measured windows there (read them with bench/tools/profileTop.ts).
 */
const WORKLOADS: Record<string, (workers: Workers) => Promise<WorkloadResult>> = {
  '1': runLocalApply,
  '2': runLatency,
  '3': runBurst,
  '4': runCatchUp,
  '5': runRecovery,
  '6': runDurable,
  '7': runMemory,
};

/** A full run must stay well under this; past it, everything is killed and the run fails. */
const RUN_LIMIT_MS = 30 * 60_000;

function selected(): string[] {
  const only = process.env.MINIDOTE_BENCH_ONLY;
  if (!only) return Object.keys(WORKLOADS);
  const names = only.split(',').map((s) => s.trim());
  for (const name of names) if (!(name in WORKLOADS)) throw new Error(`MINIDOTE_BENCH_ONLY: no workload "${name}" (1-7)`);
  return names;
}

function command(): string {
  const env = ['MINIDOTE_BENCH_SCALE', 'MINIDOTE_BENCH_REPEATS', 'MINIDOTE_BENCH_ONLY'].filter((v) => process.env[v]).map((v) => `${v}=${process.env[v]}`);
  return [...env, 'npm run bench'].join(' ');
}

async function main(): Promise<void> {
  const names = selected();
  const started = Date.now();
  const loadBefore = loadavg();
  const root = createRunRoot();
  const workers = new Workers();
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} minutes; killing everything`);
    killAllChildren();
    removeRunRoot(root);
    process.exit(1);
  }, RUN_LIMIT_MS);
  watchdog.unref();
  const rows: Row[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  try {
    for (const name of names) {
      const t0 = Date.now();
      console.log(`workload ${name}…`);
      let result: WorkloadResult;
      try {
        result = await WORKLOADS[name](workers);
      } catch (error) {
        // One failed or hung workload must not cost the others' figures.
        await workers.stopAll();
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        console.error(`  workload ${name} failed: ${message}`);
        result = { rows: [], targets: [], notes: [`Workload ${name} FAILED: ${message}`] };
      }
      rows.push(...result.rows);
      targets.push(...result.targets);
      notes.push(...result.notes);
      for (const row of result.rows) {
        console.log(`  ${row.metric} [${row.unit}]: minidote ${row.minidote?.toFixed(2)}  yjs ${row.yjs?.toFixed(2) ?? '-'}  floor ${row.floor?.toFixed(2) ?? '-'}${row.note ? `  (${row.note})` : ''}`);
      }
      console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await workers.stopAll();
    killAllChildren();
    removeRunRoot(root);
    clearTimeout(watchdog);
  }
  for (const t of targets) console.log(`${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.measured}`);
  for (const n of notes) console.log(`note: ${n}`);
  if (process.env.MINIDOTE_BENCH_ONLY) return;
  const cpu = cpus();
  const report: Report = {
    command: command(),
    scale: SCALE,
    repeats: REPEATS,
    date: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryGb: totalmem() / 2 ** 30,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadBefore,
      loadAfter: loadavg(),
    },
    rows,
    targets,
    notes,
  };
  writeReport(report, join(__dirname, 'results.md'), join(__dirname, 'results.json'), join(__dirname, 'analysis.md'));
  console.log('wrote bench/results.md and bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exit(1);
});
