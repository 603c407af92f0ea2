import { readdirSync } from 'node:fs';
import { MinidoteError } from '../core/errors';
import { VectorClock, parseClock } from '../core/vectorClock';

/**
 * Version of the on-disk format, written in the header of every file. A release that changes the
 * format bumps it and migrates older files when it opens them; an older release refuses newer files
 * instead of misreading them.
 *
 * 1: log records and snapshot states are JSON. 2: they are binary (src/core/codec): a record's
 * clock is written as its changes from the segment's start clock, its time as a difference from
 * the segment's, replica ids and objects by number once named in the segment. Files of format 1
 * are read as they are; new segments and snapshots are written in format 2, and the old ones go
 * when compaction drops them.
 */
export const FORMAT_VERSION = 2;

/** The format whose records and snapshot states are JSON. */
export const JSON_FORMAT_VERSION = 1;

export type FileFormat = 'minidote-log' | 'minidote-snapshot' | 'minidote-replica';

/** A file (or part of one) that failed its checksum or its shape check: cut off, never trusted. */
export class Damage extends Error {}

const NUMBERED = { log: /^log-(\d{6,})\.wal$/, snap: /^snap-(\d{6,})\.snap$/ } as const;

export function segmentFile(segment: number): string {
  return `log-${String(segment).padStart(6, '0')}.wal`;
}

/** A snapshot is named after the first log segment that holds transactions it does not contain. */
export function snapshotFile(fromSegment: number): string {
  return `snap-${String(fromSegment).padStart(6, '0')}.snap`;
}

/** Numbers of the log segments or snapshots in `dir`, ascending. */
export function numberedFiles(dir: string, kind: keyof typeof NUMBERED): number[] {
  const numbers: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = NUMBERED[kind].exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

/**
 * Checks a file header's format name and version. A damaged header is Damage; a header from a
 * newer release is a hard error, because cutting such a file off would destroy good data.
 */
export function checkHeader(value: unknown, format: FileFormat, file: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Damage('header is not an object');
  const header = value;
  if (header.format !== format) {
    throw new Damage(`header names format ${JSON.stringify(header.format)}, expected ${format}`);
  }
  const version = header.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new Damage(`header has no valid format version`);
  }
  if (version > FORMAT_VERSION) {
    throw new MinidoteError(
      'storage',
      `${file} was written by a newer Minidote (storage format ${version}; this release reads format ` +
        `${FORMAT_VERSION}): upgrade Minidote to open it`,
    );
  }
  return header;
}

export function headerNumber(header: Record<string, unknown>, field: string): number {
  const value = header[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Damage(`header field ${field} is not a number`);
  }
  return value;
}

export function headerClock(header: Record<string, unknown>, field: string): VectorClock {
  try {
    return parseClock(header[field]);
  } catch {
    throw new Damage(`header field ${field} is not a vector clock`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Damage('record is not valid JSON');
  }
}
