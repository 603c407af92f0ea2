import { FAMILIES, Family, TypeName } from '../core/crdt/crdtType';
import { familyOf, typesOfFamily } from '../core/crdt/registry';
import { InvalidInputError } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { KeyRef, formatKeyRef, sameKeyRef } from './keyRef';
import { t } from './localize';

/** What a command works on: commands talk about "a set", the user may have either set type. */
export type { Family };
export { familyOf };

/** Each family's types, from the registry: the first is the one a new key gets unless the caller names another. */
export const FAMILY_TYPES: Readonly<Record<Family, readonly TypeName[]>> = familyTypes();

function familyTypes(): Record<Family, readonly TypeName[]> {
  const byFamily = {} as Record<Family, readonly TypeName[]>;
  for (const family of FAMILIES) byFamily[family] = typesOfFamily(family);
  return byFamily;
}

export function inFamily(family: Family, type: string): type is TypeName {
  return (FAMILY_TYPES[family] as readonly string[]).includes(type);
}

/**
 * The type a command should use for `ref`: the one the caller named, else the type of the existing
 * object of that family, else the family's default (a new key).
 */
export function resolveType(family: Family, ref: KeyRef, existing: readonly ObjectKey[], explicit?: string): TypeName {
  const allowed = FAMILY_TYPES[family];
  if (explicit !== undefined) {
    if (!inFamily(family, explicit)) {
      throw new InvalidInputError(t('type "{0}" is not a {1} type; use {2}', explicit, family, allowed.join(t(' or '))));
    }
    return explicit;
  }
  const matches = existing.filter((k) => sameKeyRef(k, ref) && inFamily(family, k.type)).map((k) => k.type);
  if (matches.length > 1) {
    throw new InvalidInputError(t('{0} exists as {1}; say which with "type"', formatKeyRef(ref), matches.join(t(' and '))));
  }
  return matches[0] ?? allowed[0];
}
