import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
import { runScale } from './workloads/scale';
import { createRunRoot, removeRunRoot } from './workloads/tempDirs';
import { Workers } from './workloads/workers';

/**
 * `npm run bench`: the workloads of issue 8 for Minidote and the Yjs and Automerge baselines, one
 * after the other, on 127.0.0.1, every process and directory created and removed here. Writes
 * bench/results.md and bench/results.json. A replica of any system that ends in another state
 * than the specification, or a workload that fails, fails the run: exit code 1, the reasons
 * printed, no result files written. MINIDOTE_BENCH_SCALE shrinks the sizes,
 * MINIDOTE_BENCH_REPEATS sets the repeats (default 3), MINIDOTE_BENCH_ONLY=1,3 runs some workloads
 * and prints them without writing the result files, MINIDOTE_BENCH_PROFILE=DIR writes CPU
 * profiles of the measured windows there (read them with bench/tools/profileTop.ts).
 */
const WORKLOADS: Record<string, (workers: Workers) => Promise<WorkloadResult>> = {
  '1': runLocalApply,
  '2': runLatency,
  '3': runBurst,
  '4': runCatchUp,
  '5': runRecovery,
  '6': runDurable,
  '7': runMemory,
  '8': runScale,
};

/** A full run must stay well under this; past it, everything is killed and the run fails. */
const RUN_LIMIT_MS = 60 * 60_000;

function selected(): string[] {
  const only = process.env.MINIDOTE_BENCH_ONLY;
  if (!only) return Object.keys(WORKLOADS);
  const names = only.split(',').map((s) => s.trim());
  for (const name of names) if (!(name in WORKLOADS)) throw new Error(`MINIDOTE_BENCH_ONLY: no workload "${name}" (1-8)`);
  return names;
}

const ROOT = join(__dirname, '..');

/** The installed versions of what the run measures and of the transport every system uses. */
function versions(): Record<string, string> {
  const out: Record<string, string> = {};
  const read = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  out.minidote = read(ROOT);
  for (const name of [
    'yjs',
    '@automerge/automerge',
    '@automerge/automerge-repo',
    '@automerge/automerge-repo-network-websocket',
    '@automerge/automerge-repo-storage-nodefs',
    'ws',
  ]) {
    out[name] = read(join(ROOT, 'node_modules', name));
  }
  return out;
}

/** The commit measured, marked when the work tree had changes on top of it. */
function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (+ uncommitted changes)' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function figure(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

function command(): string {
  const env = ['MINIDOTE_BENCH_SCALE', 'MINIDOTE_BENCH_REPEATS', 'MINIDOTE_BENCH_ONLY']
    .filter((v) => process.env[v])
    .map((v) => `${v}=${process.env[v]}`);
  return [...env, 'npm run bench'].join(' ');
}

async function main(): Promise<void> {
  const names = selected();
  const started = Date.now();
  // Taken before the workloads start: the children load the code of this moment.
  const measured = commit();
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
  const failures: string[] = [];
  try {
    for (const name of names) {
      const t0 = Date.now();
      console.log(`workload ${name}…`);
      let result: WorkloadResult;
      try {
        result = await WORKLOADS[name](workers);
      } catch (error) {
        // The run fails, but the other workloads still run: their figures and failures are worth seeing.
        await workers.stopAll();
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        result = { rows: [], targets: [], notes: [], failures: [`workload ${name} did not complete: ${message}`] };
      }
      rows.push(...result.rows);
      targets.push(...result.targets);
      notes.push(...result.notes);
      failures.push(...result.failures);
      for (const failure of result.failures) console.error(`  FAILED: ${failure}`);
      for (const row of result.rows) {
        console.log(
          `  ${row.metric} [${row.unit}]: minidote ${figure(row.minidote)}  never ${figure(row.minidoteNever)}  yjs ${figure(row.yjs)}  automerge ${figure(row.automerge)}  floor ${figure(row.floor)}${row.note ? `  (${row.note})` : ''}`,
        );
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
  if (failures.length > 0) {
    console.error(`\nbench FAILED (${failures.length}); no result files written:`);
    for (const failure of failures) console.error(`- ${failure}`);
    process.exitCode = 1;
    return;
  }
  if (process.env.MINIDOTE_BENCH_ONLY) return;
  const cpu = cpus();
  const report: Report = {
    command: command(),
    commit: measured,
    versions: versions(),
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
