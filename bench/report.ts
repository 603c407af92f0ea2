import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Figure, Row, TargetCheck, advantage, ratio } from './results';

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
  /** The commit the run measured, with "+changes" if the work tree differed from it. */
  readonly commit: string;
  /** Package name → installed version, for the systems under test and their transports. */
  readonly versions: Readonly<Record<string, string>>;
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

/** A figure, with its min-max spread over the repeats where the row was repeated. */
function cell(r: Row, figure: Figure): string {
  const value = r[figure];
  const spread = r.spread?.[figure];
  if (value === null || !spread) return num(value);
  return `${num(value)} (${num(spread[0])}–${num(spread[1])})`;
}

function times(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(2)}x`;
}

/** Minidote as shipped against `other`, and with fsync never where the row has that figure. */
function versus(r: Row, other: number | null): string {
  const shipped = times(advantage(r, other));
  const never = ratio(r.minidoteNever, other, r.higherIsBetter);
  return never === null ? shipped : `${shipped} · never ${times(never)}`;
}

function table(headers: string[], lines: string[][]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => ' --- ').join('|')}|`,
    ...lines.map((l) => `| ${l.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** results.md: the table, the targets, the notes, and the hand-written analysis kept in analysis.md. */
export function renderMarkdown(report: Report, analysisPath: string): string {
  const m = report.machine;
  const busy = Math.max(...m.loadBefore.slice(0, 1), ...m.loadAfter.slice(0, 1));
  const rows = report.rows.map((r) => [
    r.workload,
    r.metric,
    r.unit,
    cell(r, 'minidote'),
    cell(r, 'minidoteNever'),
    cell(r, 'yjs'),
    cell(r, 'automerge'),
    cell(r, 'floor'),
    versus(r, r.yjs),
    versus(r, r.automerge),
    times(advantage(r, r.floor)),
    r.note ?? '',
  ]);
  const targets = report.targets.map((t) => [t.target, t.measured, t.met ? 'met' : '**missed**']);
  const versions = Object.entries(report.versions).map(([name, version]) => `${name} ${version}`);
  const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '';
  return [
    '# Minidote benchmarks: Minidote, Yjs and Automerge side by side',
    '',
    `Produced by \`${report.command}\` on ${report.date} in ${report.durationS.toFixed(0)} s (scale ${report.scale}: ` +
      `${report.scale === 1 ? 'the full sizes of issue 8' : 'sizes multiplied by the scale'}), on commit ${report.commit}.`,
    '',
    `Versions: ${versions.join(', ')}.`,
    '',
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb.toFixed(0)} GB RAM, Node ${m.node}, ${m.platform}. ` +
      `Load average (1/5/15 min) before: ${m.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${m.loadAfter.map((l) => l.toFixed(2)).join(' / ')}` +
      (busy > 0.5 ? ' — the machine was shared with other work during the run, so absolute figures are noisy.' : '.'),
    '',
    `Workloads 1, 5 and 6 keep the best of ${report.repeats} runs, each in a fresh process. Workloads 2-4 show the median of ` +
      `${report.repeats} runs, each with fresh processes, and in parentheses the lowest and highest of those runs. Workload 7 runs once.`,
    '',
    '"Minidote" is Minidote as shipped (default fsync policy `always` on the network workloads); "Minidote, fsync never" is the ' +
      'like-for-like figure on the network workloads, since neither Yjs (no persistence) nor Automerge (NodeFS storage, no fsync) ' +
      'syncs to the disk. "vs Yjs", "vs Automerge" and "vs floor" say how many times better Minidote is (above 1: Minidote ahead; ' +
      'for ms and bytes, lower is better); "never" gives the same ratio for the fsync-never figure. "–": no analogue or not measured (see the note).',
    '',
    table(
      [
        'Workload',
        'Metric',
        'Unit',
        'Minidote',
        'Minidote, fsync never',
        'Yjs',
        'Automerge',
        'Floor',
        'vs Yjs',
        'vs Automerge',
        'vs floor',
        'Note',
      ],
      rows,
    ),
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
