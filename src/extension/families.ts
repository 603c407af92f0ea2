import { TypeName } from '../core/crdt/crdtType';
import { InvalidInputError } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { KeyRef, formatKeyRef, sameKeyRef } from './keyRef';

/** What a command works on: commands talk about "a set", the user may have either set type. */
export type Family = 'flag' | 'set' | 'counter' | 'register';

/** The first type of each family is the one a new key gets unless the caller names another. */
export const FAMILY_TYPES: Readonly<Record<Family, readonly TypeName[]>> = {
  flag: ['flag_ew'],
  set: ['set_aw', 'set_2p'],
  counter: ['counter_pn', 'counter_pn_sb'],
  register: ['register_mv'],
};

export function familyOf(type: TypeName): Family {
  const found = (Object.keys(FAMILY_TYPES) as Family[]).find((f) => FAMILY_TYPES[f].includes(type));
  if (!found) throw new InvalidInputError(`type ${type} belongs to no family`);
  return found;
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
      throw new InvalidInputError(`type "${explicit}" is not a ${family} type; use ${allowed.join(' or ')}`);
    }
    return explicit;
  }
  const matches = existing.filter((k) => sameKeyRef(k, ref) && inFamily(family, k.type)).map((k) => k.type);
  if (matches.length > 1) {
    throw new InvalidInputError(`${formatKeyRef(ref)} exists as ${matches.join(' and ')}; say which with "type"`);
  }
  return matches[0] ?? allowed[0];
}
