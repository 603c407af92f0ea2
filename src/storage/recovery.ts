import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, MinidoteError, errorMessage } from '../core/errors';
import { Replica } from '../core/replica';
import { isDuplicate } from '../core/causalBuffer';
import { Transaction } from '../core/transaction';
import { VectorClock, normalize } from '../core/vectorClock';
import { copyAside, cutTail, moveAside, removeInterruptedWrites } from './files';
import { Damage, numberedFiles, segmentFile, snapshotFile } from './format';
import { SegmentInfo, checkSegment, placeholderFor, readSegment } from './segments';
import { SnapshotInfo, readSnapshotFile, snapshotOnDisk } from './snapshots';

/** Bytes recovery did not trust: cut from `file` at `offset` and moved to `damaged/`. */
export interface CutReport {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
}

/** A whole record recovery could not apply: left in the log, copied to `damaged/`, skipped. */
export interface SetAsideReport {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  /** The copy in `damaged/`. */
  readonly copy: string;
}

export interface RecoveryReport {
  /** Clock of the snapshot recovery started from; null when it replayed the log from the start. */
  snapshotClock: VectorClock | null;
  /** Log records applied on top of the snapshot. */
  replayed: number;
  cut: CutReport[];
  /** Records with a sound frame but unusable content; replay went on after each. */
  setAside: SetAsideReport[];
  /** Unreadable snapshots that recovery fell back from (moved to `damaged/`). */
  badSnapshots: { readonly file: string; readonly reason: string }[];
  /** Logged transactions left out because something they depend on is missing. */
  skipped: number;
}

export interface Recovered {
  readonly report: RecoveryReport;
  /** Segments still on disk, oldest first. */
  readonly segments: SegmentInfo[];
  /** Snapshots still on disk, newest (the one recovery used) first. */
  readonly snapshots: SnapshotInfo[];
  /** The first segment that recovery replays: new records must go there or later. */
  readonly firstLive: number;
}

/**
 * Rebuilds `replica` from `dir`: the newest readable snapshot, then every later log record in log
 * order through the replica's replay path. A torn or corrupt frame is never parsed into state: it
 * and everything after it is cut off and kept in `damaged/`. A sound frame whose content cannot be
 * applied costs only itself: it is copied to `damaged/` and replay goes on. Both are reported
 * through `say` and the returned report.
 */
export function recover(dir: string, replica: Replica, say: (message: string) => void): Recovered {
  removeInterruptedWrites(dir);
  const report: RecoveryReport = { snapshotClock: null, replayed: 0, cut: [], setAside: [], badSnapshots: [], skipped: 0 };
  const snapshots = loadNewestSnapshot(dir, replica, report, say);
  const firstLive = snapshots[0]?.number ?? 1;
  const numbers = numberedFiles(dir, 'log');
  // The snapshot contains everything logged before `firstLive`: its clock covers those segments.
  const history = keepHistory(
    dir,
    numbers.filter((n) => n < firstLive),
    replica.clock,
    report,
    say,
  );
  const live = replay(
    dir,
    numbers.filter((n) => n >= firstLive),
    replica,
    snapshots.length > 0,
    report,
    say,
  );
  return { report, segments: [...history, ...live], snapshots, firstLive };
}

function loadNewestSnapshot(dir: string, replica: Replica, report: RecoveryReport, say: (m: string) => void): SnapshotInfo[] {
  const numbers = numberedFiles(dir, 'snap').reverse();
  for (let i = 0; i < numbers.length; i++) {
    const file = snapshotFile(numbers[i]);
    try {
      const { info, state } = readSnapshotFile(dir, numbers[i]);
      replica.importState(state);
      report.snapshotClock = normalize(state.clock);
      return [info, ...numbers.slice(i + 1).map((n) => snapshotOnDisk(dir, n))];
    } catch (error) {
      if (!(error instanceof Damage || error instanceof InvalidInputError)) throw error;
      const movedTo = moveAside(dir, join(dir, file));
      report.badSnapshots.push({ file, reason: error.message });
      say(`snapshot ${file} is unreadable (${error.message}); moved to ${movedTo}, falling back to the previous one`);
    }
  }
  return [];
}

/**
 * Segments before the snapshot are not replayed; they stay only to serve peers that lag behind.
 * The log must hold everything after its oldest segment's start, so a damaged one is dropped
 * together with everything older.
 */
function keepHistory(
  dir: string,
  numbers: number[],
  snapshotClock: VectorClock,
  report: RecoveryReport,
  say: (m: string) => void,
): SegmentInfo[] {
  const kept: SegmentInfo[] = [];
  for (const number of numbers) {
    const scan = checkSegment(dir, number, snapshotClock);
    if (scan.info && !scan.damage) {
      kept.push(scan.info);
      continue;
    }
    const offset = scan.damage?.offset ?? 0;
    const reason = `${scan.damage?.reason}; the snapshot already contains it, older segments dropped too`;
    for (const older of kept) unlinkSync(older.path);
    kept.length = 0;
    const movedTo = moveAside(dir, join(dir, segmentFile(number)));
    report.cut.push({ file: segmentFile(number), offset, reason });
    say(`log segment ${segmentFile(number)} is damaged at offset ${offset} (${reason}); moved to ${movedTo}`);
  }
  return kept;
}

function replay(
  dir: string,
  numbers: number[],
  replica: Replica,
  fromSnapshot: boolean,
  report: RecoveryReport,
  say: (m: string) => void,
): SegmentInfo[] {
  const kept: SegmentInfo[] = [];
  let firstSkip: string | undefined;
  for (let i = 0; i < numbers.length; i++) {
    const file = segmentFile(numbers[i]);
    let data: Buffer | undefined;
    const setAside = (at: { offset: number; next: number }, reason: string, placeholder?: Transaction): void => {
      const { offset } = at;
      const copy = copyAside(dir, file, offset, (data as Buffer).subarray(offset, at.next));
      report.setAside.push({ file, offset, reason, copy });
      say(`log record ${file}@${offset} cannot be applied (${reason}); copied to ${copy}, recovery goes on`);
      // Uses up its sequence number, so that the origin's later records still apply.
      if (placeholder && !isDuplicate(placeholder, replica.clock)) replica.replay(placeholder);
    };
    const scan = readSegment(dir, numbers[i], {
      begin: (info, bytes) => {
        data = bytes;
        if (i === 0 && !fromSnapshot && Object.keys(normalize(info.start)).length > 0) {
          throw new MinidoteError(
            'storage',
            `cannot recover ${dir}: there is no readable snapshot, and the log starts at ${file}, after transactions ` +
              'that were compacted away. Restore the directory from a backup, or move it away and start a replica ' +
              'with a new id',
          );
        }
      },
      record: (txn, offset, next) => {
        let applied: boolean;
        try {
          applied = replica.replay(txn);
        } catch (error) {
          setAside({ offset, next }, `applying it failed: ${errorMessage(error)}`, placeholderFor(txn));
          return;
        }
        if (applied) report.replayed++;
        // Only what replay refused is checked against the clock, whose copy costs an object.
        else if (!isDuplicate(txn, replica.clock)) {
          report.skipped++;
          firstSkip ??= `${file} at offset ${offset}`;
        }
      },
      unusable: (item) => setAside(item, item.reason, item.placeholder),
    });
    if (!scan.damage) {
      if (scan.info) kept.push(scan.info);
      continue;
    }
    cut(dir, file, scan.damage.offset, scan.damage.reason, scan.data, report, say);
    if (scan.info) kept.push(scan.info);
    for (const later of numbers.slice(i + 1)) {
      cut(dir, segmentFile(later), 0, `follows the damaged record in ${file}`, undefined, report, say);
    }
    break;
  }
  if (report.skipped > 0) {
    say(
      `left out ${report.skipped} logged transaction(s) whose causal dependencies are missing, ` +
        `the first in ${firstSkip}; peers can resend them`,
    );
  }
  return kept;
}

/** Cuts `file` at `offset` (all of it when there is no header to keep) and records why. */
function cut(
  dir: string,
  file: string,
  offset: number,
  reason: string,
  data: Buffer | undefined,
  report: RecoveryReport,
  say: (m: string) => void,
): void {
  const path = join(dir, file);
  const movedTo = offset > 0 && data ? cutTail(dir, path, offset, data) : moveAside(dir, path);
  report.cut.push({ file, offset, reason });
  say(`log segment ${file} cut at offset ${offset} (${reason}); the cut bytes were moved to ${movedTo}`);
}
