import { createHash } from 'node:crypto';
import { Json, canonicalJson } from '../src/core/json';
import { BenchOp } from './ops';

/** Progress as a clock: replica id (Minidote) or Yjs client id → count. */
export type ProgressClock = Record<string, number>;

/**
 * One replica of either system, as the network workloads drive it: the same calls for Minidote
 * and for the Yjs baseline, so the workloads cannot treat them differently.
 */
export interface BenchStore {
  /** This replica's entry in `progress()`. */
  readonly id: string;
  /** One transaction per operation, all issued before any is awaited. */
  write(ops: readonly BenchOp[]): Promise<void>;
  progress(): ProgressClock;
  /** Whether everything in `target` has been delivered here. */
  covers(target: ProgressClock): boolean;
  /** Called after every delivered change (local or remote); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** The user-visible values, canonical: equal digests mean identical replicas. */
  values(): Json;
  listen(): Promise<string>;
  connect(url: string): void;
  disconnect(url: string): void;
  close(): Promise<void>;
}

export function digest(values: Json): string {
  return createHash('sha256').update(canonicalJson(values)).digest('hex').slice(0, 16);
}
