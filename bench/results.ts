/**
 * The figures a row compares: Minidote as shipped (default fsync policy), Minidote with fsync
 * `never` (network workloads: the like-for-like figure, since neither baseline fsyncs), the Yjs
 * and Automerge baselines, and the physical floor where the workload has one.
 */
export const FIGURES = ['minidote', 'minidoteNever', 'yjs', 'automerge', 'floor'] as const;
export type Figure = (typeof FIGURES)[number];
export type Figures = Partial<Record<Figure, number | null>>;

/** One line of the results table. */
export interface Row {
  readonly workload: string;
  readonly metric: string;
  readonly unit: string;
  /** Whether a larger number is better (ops/s) or worse (ms, bytes). */
  readonly higherIsBetter: boolean;
  readonly minidote: number | null;
  readonly minidoteNever: number | null;
  readonly yjs: number | null;
  readonly automerge: number | null;
  readonly floor: number | null;
  /** Repeated rows: the lowest and the highest figure over the repeats (the row shows the median). */
  readonly spread?: Partial<Record<Figure, readonly [number, number]>>;
  readonly note?: string;
}

export interface RowHead {
  readonly workload: string;
  readonly metric: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
}

export function row(head: RowHead, figures: Figures, note?: string): Row {
  return {
    ...head,
    minidote: figures.minidote ?? null,
    minidoteNever: figures.minidoteNever ?? null,
    yjs: figures.yjs ?? null,
    automerge: figures.automerge ?? null,
    floor: figures.floor ?? null,
    ...(note ? { note } : {}),
  };
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A row from repeated measurements: the median of each figure, with its min-max spread. */
export function repeatedRow(head: RowHead, samples: Partial<Record<Figure, readonly number[]>>, note?: string): Row {
  const figures: Figures = {};
  const spread: Partial<Record<Figure, readonly [number, number]>> = {};
  for (const figure of FIGURES) {
    const values = samples[figure];
    if (!values || values.length === 0) continue;
    figures[figure] = median(values);
    if (values.length > 1) spread[figure] = [Math.min(...values), Math.max(...values)];
  }
  return { ...row(head, figures, note), spread };
}

/** A target of issue 8, with the measured ratio whether or not it is met. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface WorkloadResult {
  readonly rows: Row[];
  readonly targets: TargetCheck[];
  readonly notes: string[];
  /** Divergences and broken runs: any entry fails `npm run bench`. */
  readonly failures: string[];
}

/** How many times better `mine` is than `other` (> 1: `mine` ahead). */
export function ratio(mine: number | null, other: number | null, higherIsBetter: boolean): number | null {
  if (mine === null || other === null || mine === 0 || other === 0) return null;
  return higherIsBetter ? mine / other : other / mine;
}

/** How many times better Minidote (as shipped) is than `other` on this row. */
export function advantage(r: Row, other: number | null): number | null {
  return ratio(r.minidote, other, r.higherIsBetter);
}

function times(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}

/**
 * "At least `factor` times better than Yjs and than Automerge" on `r`, judged on Minidote as
 * shipped; the fsync-never figure is reported beside it where the row has one.
 */
export function baselineTarget(target: string, r: Row, factor: number): TargetCheck {
  const parts: string[] = [];
  let met = true;
  for (const [name, other] of [
    ['Yjs', r.yjs],
    ['Automerge', r.automerge],
  ] as const) {
    const shipped = advantage(r, other);
    met &&= shipped !== null && (factor > 1 ? shipped >= factor : shipped > factor);
    const never = ratio(r.minidoteNever, other, r.higherIsBetter);
    parts.push(`${times(shipped)} ${name}${never === null ? '' : ` (fsync never: ${times(never)})`}`);
  }
  return { target, measured: parts.join(', '), met };
}
