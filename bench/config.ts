/**
 * Benchmark sizes. MINIDOTE_BENCH_SCALE multiplies every workload size of issue 8 (1 = the issue's
 * sizes; 0.1 for a quick run). Figures that are "per 100k" or "per op" are normalised, so they stay
 * comparable across scales; absolute times are not.
 */
export const SCALE = parseScale(process.env.MINIDOTE_BENCH_SCALE);

function parseScale(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 10) {
    throw new Error(`MINIDOTE_BENCH_SCALE must be a number in (0, 10], got "${text}"`);
  }
  return value;
}

export function scaled(full: number, minimum: number): number {
  return Math.max(minimum, Math.round(full * SCALE));
}

export const SIZES = {
  /** Workload 1: single-op transactions per type. */
  localOps: scaled(100_000, 1_000),
  /** Workload 2: sequential one-op updates timed end to end. */
  latencySamples: scaled(2_000, 200),
  /** Workload 3: updates issued by each of the 5 replicas. */
  burstPerReplica: scaled(10_000, 500),
  /**
   * Workload 3 for Automerge: updates issued by each replica. Its time grows faster than the burst
   * (5 × 2,000 took 11 s here, 5 × 4,000 32 s, and 5 × 10,000 did not end within the 180 s call
   * limit), so it runs a smaller burst and is compared on throughput, which only flatters it.
   */
  automergeBurstPerReplica: scaled(2_000, 500),
  /** Workload 4: transactions missed by the offline replica. */
  catchUpTxns: scaled(100_000, 1_000),
  /** Workload 5: log records to recover, and the tail after a snapshot. */
  recoveryRecords: scaled(100_000, 1_000),
  recoveryTail: scaled(1_000, 100),
  /** Workload 6: transactions written by the 32 writers together. */
  durableTxns: scaled(100_000, 2_000),
  durableWriters: 32,
  /**
   * Workloads 1 and 7 for Automerge: operations per measurement. Its figures are per second and
   * per element, so they compare with the others' at their larger sizes; at its 2-10k changes/s,
   * the full 100k would take minutes per run.
   */
  automergeOps: scaled(10_000, 1_000),
  /** Workload 7. */
  memorySetElements: scaled(100_000, 5_000),
  memoryClockReplicas: scaled(10_000, 2_000),
} as const;

/**
 * Single-process measurements (workloads 1, 5, 6) run this many times, each in a fresh process, and
 * keep the best: on a shared machine the best run is the one least disturbed by other work.
 */
export const REPEATS = parseRepeats(process.env.MINIDOTE_BENCH_REPEATS);

function parseRepeats(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 3;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > 20)
    throw new Error(`MINIDOTE_BENCH_REPEATS must be an integer from 1 to 20, got "${text}"`);
  return value;
}

/** Every call into a child process must answer within this; a hung workload fails instead of hanging the run. */
export const CALL_TIMEOUT_MS = 180_000;
