/**
 * Durable storage of one replica (docs/architecture.md, "Storage"). Everything lives in the replica's data
 * directory, which one process at a time owns:
 *
 *   replica.json        {"format":"minidote-replica","version":2,"id":…}: the replica id, written
 *                       once when the directory is created, never replaced
 *   lock                the process that has the directory open: pid, pid namespace, boot id, host
 *                       name, a random token; its modification time is refreshed every few seconds.
 *                       Stale when its holder is known dead (same host, boot and pid namespace, pid
 *                       not running) or it has not been refreshed for its lease (15 s by default)
 *   log-000001.wal …    the transaction log in segments: every transaction the replica delivered,
 *                       local and remote, in delivery order (a causal order). Each file is a series
 *                       of frames (u32 LE length, u32 LE CRC-32, payload); the first frame is a JSON
 *                       header (format name, format version, segment number, the replica's clock
 *                       and time when the segment began, whether a snapshot install began it), then
 *                       binary frames (format 2, src/core/codec): name definitions, and one record
 *                       per transaction with its clock as changes from the segment's start clock and
 *                       its time relative to the segment's. Format-1 segments (JSON records) are read
 *                       as they are; new records go to a new format-2 segment
 *   snap-000007.snap    a snapshot: a header frame (format, version, segment number, clock, time)
 *                       and one frame with the full state (binary in format 2, JSON in format 1); it contains everything logged before
 *                       log-000007.wal. Written to a .tmp file, fsynced, renamed: whole or absent
 *   damaged/            bytes recovery refused (torn or corrupt records, unreadable snapshots, copies
 *                       of records set aside as FILE@OFFSET), kept for inspection, never read back
 *
 * A record reaches the OS (a synchronous write) before the replica applies its transaction, except
 * that the transactions of one message from a peer are written together when it has been received
 * (Storage.appendTogether), still before anything can acknowledge or send them; the fsync policy
 * decides when a record reaches the disk. A failed fsync makes the log read-only until the
 * directory is reopened, and the updates waiting for it end "outcome unknown". Recovery loads the
 * newest readable snapshot, then replays the segments from its number on. A torn or corrupt frame
 * and everything after it is cut off and reported; a sound frame whose content cannot be applied is
 * set aside (copied to damaged/, reported, its sequence number used up) and replay goes on. A
 * snapshot from a peer is installed with `installSnapshot`, durable before the replica imports it.
 * After each snapshot the storage keeps the two newest snapshots, the log since the older one (so
 * either can be recovered from), and older segments holding records a known peer still needs
 * (setRetention); it deletes the rest.
 *
 * Backup: copy the whole directory while the replica is stopped. While it runs, replica.json plus
 * the newest snap-*.snap are a consistent copy of the state as of that snapshot.
 */
export { DEFAULT_FSYNC, parseFsyncPolicy } from './fsyncPolicy';
export type { FsyncPolicy } from './fsyncPolicy';
export type { LogCost } from './log';
export { StorageLockedError } from './lock';
export type { LockHolder } from './lock';
export type { CutReport, RecoveryReport, SetAsideReport } from './recovery';
export { DEFAULT_SNAPSHOT_EVERY, Storage, openStorage } from './storage';
export type { OpenOptions, StorageStats } from './storage';
