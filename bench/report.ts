import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Row, TargetCheck, advantage } from './results';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

export interface Report {
  readonly command: string;
  readonly scale: number;
  readonly repeats: number;
  readonly date: string;
  readonly durationS: number;
  readonly machine: Machine;
  readonly rows: readonly Row[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

function num(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function ratio(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}x`;
}

function table(headers: string[], lines: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`, ...lines.map((l) => `| ${l.map(escape).join(' | ')} |`)].join('\n');
}

/** results.md: the table, the targets, the notes, and the hand-written analysis kept in analysis.md. */
export function renderMarkdown(report: Report, analysisPath: string): string {
  const m = report.machine;
  const busy = Math.max(...m.loadBefore.slice(0, 1), ...m.loadAfter.slice(0, 1));
  const rows = report.rows.map((r) => [
    r.workload,
    r.metric,
    r.unit,
    num(r.minidote),
    num(r.yjs),
    num(r.floor),
    ratio(advantage(r, r.yjs)),
    ratio(advantage(r, r.floor)),
    r.note ?? '',
  ]);
  const targets = report.targets.map((t) => [t.target, t.measured, t.met ? 'met' : '**missed**']);
  const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '';
  return [
    '# Minidote benchmarks (issue 8)',
    '',
    `Produced by \`${report.command}\` on ${report.date} in ${report.durationS.toFixed(0)} s (scale ${report.scale}: ` +
      `${report.scale === 1 ? "the issue's full sizes" : 'sizes multiplied by the scale'}).`,
    '',
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb.toFixed(0)} GB RAM, Node ${m.node}, ${m.platform}. ` +
      `Load average (1/5/15 min) before: ${m.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${m.loadAfter.map((l) => l.toFixed(2)).join(' / ')}` +
      (busy > 0.5 ? ' — the machine was shared with other work during the run, so absolute figures are noisy.' : '.'),
    '',
    `Workloads 1, 5 and 6 keep the best of ${report.repeats} runs, each in a fresh process; workloads 2-4 and 7 run once.`,
    '',
    '"vs Yjs" and "vs floor" say how many times better Minidote is (above 1: Minidote ahead; for ms and bytes, lower is better).',
    '',
    table(['Workload', 'Metric', 'Unit', 'Minidote', 'Yjs', 'Floor', 'vs Yjs', 'vs floor', 'Note'], rows),
    '',
    '## Targets',
    '',
    table(['Target', 'Measured', 'Status'], targets),
    '',
    '## Notes',
    '',
    ...report.notes.map((n) => `- ${n}`),
    ...(analysis ? ['', analysis] : []),
    '',
  ].join('\n');
}

export function writeReport(report: Report, markdownPath: string, jsonPath: string, analysisPath: string): void {
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdownPath, renderMarkdown(report, analysisPath));
}
