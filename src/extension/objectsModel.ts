import { TypeName } from '../core/crdt/crdtType';
import { Json, canonicalJson } from '../core/json';
import { Replica } from '../core/replica';
import { ObjectKey, objectId } from '../core/transaction';
import { Family, familyOf } from './families';
import { t } from './localize';

/**
 * The Objects view as plain data: buckets, their objects, and set elements / concurrent register
 * values as children. Node fields double as command arguments ({ bucket, key, type, element }), so
 * a tree item's inline action passes its node straight to the command.
 */
export type ObjectsNode = BucketNode | ObjectNode | ValueNode;

export interface BucketNode {
  readonly kind: 'bucket';
  readonly id: string;
  readonly bucket: string;
  readonly objects: readonly ObjectNode[];
}

export interface ObjectNode {
  readonly kind: 'object';
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly type: TypeName;
  readonly family: Family;
  readonly description: string;
  /** Flags only: whether the flag is enabled. */
  readonly checked?: boolean;
  /** Who changed it last ("enabled by Alice, 10:42"), when known. */
  readonly lastChange?: string;
  readonly children: readonly ValueNode[];
}

/** A set element (removable) or one of a register's concurrent values. */
export interface ValueNode {
  readonly kind: 'element' | 'registerValue';
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly type: TypeName;
  readonly element: Json;
  readonly label: string;
}

export interface ObjectEntry {
  readonly key: ObjectKey;
  readonly value: Json;
}

/** Strings show as typed; other JSON values as their canonical text. */
export function valueLabel(value: Json): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}

/** The last-change line of an object, when its node knows one. */
export type LastChangeLine = (key: ObjectKey, value: Json) => string | undefined;

function objectNode(entry: ObjectEntry, lastChangeOf: LastChangeLine): ObjectNode {
  const { key, value } = entry;
  const id = objectId(key);
  const family = familyOf(key.type);
  const lastChange = lastChangeOf(key, value);
  const base = {
    kind: 'object' as const,
    id,
    bucket: key.bucket,
    key: key.key,
    type: key.type,
    family,
    ...(lastChange !== undefined && { lastChange }),
  };
  const values = Array.isArray(value) ? value : [];
  const children = (kind: ValueNode['kind']): ValueNode[] =>
    values.map((element) => ({
      kind,
      id: `${id}#${canonicalJson(element)}`,
      bucket: key.bucket,
      key: key.key,
      type: key.type,
      element,
      label: valueLabel(element),
    }));
  switch (family) {
    case 'flag':
      return { ...base, checked: value === true, description: value === true ? t('enabled') : t('disabled'), children: [] };
    case 'counter':
      return { ...base, description: String(value), children: [] };
    case 'set':
      return {
        ...base,
        description: `${key.type} · ${values.length === 1 ? t('1 element') : t('{0} elements', values.length)}`,
        children: children('element'),
      };
    case 'register': {
      const shown = values.length === 0 ? t('(empty)') : values.map(valueLabel).join(' | ');
      // Concurrent values get their own rows so that each can be read in full.
      const rows = values.length > 1 ? children('registerValue') : [];
      return { ...base, description: values.length > 1 ? t('{0} ({1} concurrent)', shown, values.length) : shown, children: rows };
    }
  }
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Buckets sorted by name, objects by key then type. */
export function buildObjectsTree(entries: readonly ObjectEntry[], lastChangeOf: LastChangeLine = () => undefined): BucketNode[] {
  const buckets = new Map<string, ObjectEntry[]>();
  for (const entry of entries) {
    const list = buckets.get(entry.key.bucket) ?? [];
    list.push(entry);
    buckets.set(entry.key.bucket, list);
  }
  return [...buckets.keys()].sort(byText).map((bucket) => ({
    kind: 'bucket',
    id: `bucket:${bucket}`,
    bucket,
    objects: (buckets.get(bucket) ?? [])
      .slice()
      .sort((a, b) => byText(a.key.key, b.key.key) || byText(a.key.type, b.key.type))
      .map((entry) => objectNode(entry, lastChangeOf)),
  }));
}

/** Every object the replica holds, with its current value. */
export function objectEntries(replica: Pick<Replica, 'listObjects' | 'value'>): ObjectEntry[] {
  return replica.listObjects().map((key) => ({ key, value: replica.value(key) }));
}
