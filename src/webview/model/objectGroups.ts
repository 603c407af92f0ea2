import { compareCanonical } from '../../core/json';
import { ObjectEntry } from '../protocol';

export interface BucketGroup {
  readonly bucket: string;
  readonly objects: readonly ObjectEntry[];
}

/** Objects grouped by bucket, buckets and keys in name order; `filter` matches bucket, key or type. */
export function groupByBucket(objects: Iterable<ObjectEntry>, filter = ''): BucketGroup[] {
  const needle = filter.trim().toLowerCase();
  const groups = new Map<string, ObjectEntry[]>();
  for (const entry of objects) {
    if (needle && !matches(entry, needle)) continue;
    let list = groups.get(entry.bucket);
    if (!list) groups.set(entry.bucket, (list = []));
    list.push(entry);
  }
  return [...groups.keys()].sort(compareCanonical).map((bucket) => ({
    bucket,
    objects: (groups.get(bucket) as ObjectEntry[]).sort((a, b) => compareCanonical(a.key, b.key) || compareCanonical(a.type, b.type)),
  }));
}

function matches(entry: ObjectEntry, needle: string): boolean {
  return entry.bucket.toLowerCase().includes(needle) || entry.key.toLowerCase().includes(needle) || entry.type.includes(needle);
}
