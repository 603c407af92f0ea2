import { BenchOp } from './ops';
import { BenchValues } from './values';

/** Progress as a clock: replica id (Minidote), Yjs client id or Automerge actor → count. */
export type ProgressClock = Record<string, number>;

/**
 * One replica of any system under test, as the network workloads drive it: the same calls for
 * Minidote and for the Yjs and Automerge baselines, so the workloads cannot treat them differently.
 */
export interface BenchStore {
  /** This replica's entry in `progress()`. */
  readonly id: string;
  /**
   * One transaction per operation, all issued before any is awaited. Each one that adds a counter
   * increment, a set element, a register value or a flag value advances `progress()[id]` by one.
   */
  write(ops: readonly BenchOp[]): Promise<void>;
  progress(): ProgressClock;
  /** Whether everything in `target` has been delivered here. */
  covers(target: ProgressClock): boolean;
  /** Called after every delivered change (local or remote); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** The user-visible values, in the shape shared by every system. */
  values(): BenchValues;
  listen(): Promise<string>;
  connect(url: string): void;
  disconnect(url: string): void;
  close(): Promise<void>;
}
