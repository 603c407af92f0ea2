/**
 * Durable storage of one replica (DESIGN.md, "Storage"). Everything lives in the replica's data
 * directory, owned by one process at a time:
 *
 *   replica.json        the replica id and the storage format version; written once, never replaced
 *   lock                pid of the process that has the directory open (stale when it is dead)
 *   log-000001.wal …    the transaction log, in segments: every transaction the replica delivered,
 *                       local and remote, in delivery order (a causal order). Each file starts with
 *                       a header frame (format name, format version, segment number, the replica's
 *                       clock when the segment began); each record is a frame: u32 length, u32
 *                       CRC-32, JSON of the transaction
 *   snap-000007.snap    a snapshot: header frame (format, version, clock, time), then one frame with
 *                       the full state; it contains everything logged before log-000007.wal.
 *                       Written to a .tmp file, fsynced and renamed, so it is whole or absent
 *   damaged/            bytes recovery refused (torn or corrupt records, unreadable snapshots),
 *                       kept for inspection only
 *
 * Every record reaches the OS (a synchronous write) before the replica applies the transaction;
 * the fsync policy decides when it reaches the disk. Recovery loads the newest readable snapshot
 * and replays the segments from its number on. After each snapshot the two newest snapshots are
 * kept with the log since the older one, plus older segments a known peer still needs
 * (setRetention); the rest is deleted. Backup: copy the whole directory while the replica is
 * stopped; while it runs, replica.json plus the newest snap-*.snap are a consistent (older) copy.
 */
export { DEFAULT_FSYNC, parseFsyncPolicy } from './fsyncPolicy';
export type { FsyncPolicy } from './fsyncPolicy';
export { StorageLockedError } from './lock';
export type { CutReport, RecoveryReport } from './recovery';
export { DEFAULT_SNAPSHOT_EVERY, Storage, openStorage } from './storage';
export type { OpenOptions, StorageStats } from './storage';
