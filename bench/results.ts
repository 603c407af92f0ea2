/** One line of the results table: the same figure for Minidote, the Yjs baseline and the floor. */
export interface Row {
  readonly workload: string;
  readonly metric: string;
  readonly unit: string;
  /** Whether a larger number is better (ops/s) or worse (ms, bytes). */
  readonly higherIsBetter: boolean;
  readonly minidote: number | null;
  readonly yjs: number | null;
  /** The physical floor (raw ws round trip, serial write+fsync), where the issue names one. */
  readonly floor: number | null;
  readonly note?: string;
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
}

/** How many times better Minidote is than `other` on this row (> 1: Minidote ahead). */
export function advantage(row: Row, other: number | null): number | null {
  if (row.minidote === null || other === null || row.minidote === 0 || other === 0) return null;
  return row.higherIsBetter ? row.minidote / other : other / row.minidote;
}
