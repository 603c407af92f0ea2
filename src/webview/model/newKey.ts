import { TypeName } from '../../core/crdt/crdtType';
import { familyOf } from '../../core/crdt/registry';
import { Json } from '../../core/json';
import { ObjectKey } from '../../core/transaction';
import { MAX_NAME_LENGTH } from '../protocol';
import { parseValueInput } from './valueInput';

export interface NewKeyInput {
  readonly type: TypeName;
  readonly bucket: string;
  readonly key: string;
  /** The first value: element, register value, or counter amount (signed). */
  readonly value: string;
  readonly asJson: boolean;
  readonly enabled: boolean;
}

/** An object comes to exist with its first update: which one the "new key" form sends. */
export type NewKeyPlan =
  | { readonly kind: 'flag'; readonly object: ObjectKey; readonly enabled: boolean }
  | { readonly kind: 'counter'; readonly object: ObjectKey; readonly op: 'increment' | 'decrement'; readonly amount: number }
  | { readonly kind: 'set'; readonly object: ObjectKey; readonly element: Json }
  | { readonly kind: 'register'; readonly object: ObjectKey; readonly value: Json };

export type NewKeyResult = { readonly ok: true; readonly plan: NewKeyPlan } | { readonly ok: false; readonly error: string };

function checkName(what: string, name: string): string | undefined {
  if (name.length === 0) return `Enter a ${what}`;
  if (name.length > MAX_NAME_LENGTH) return `The ${what} is longer than ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

export function planNewKey(input: NewKeyInput): NewKeyResult {
  const bucket = input.bucket.trim();
  const key = input.key.trim();
  const nameError = checkName('bucket', bucket) ?? checkName('key', key);
  if (nameError) return { ok: false, error: nameError };
  const object: ObjectKey = { bucket, key, type: input.type };
  switch (familyOf(input.type)) {
    case 'flag':
      return { ok: true, plan: { kind: 'flag', object, enabled: input.enabled } };
    case 'counter': {
      const text = input.value.trim() || '1';
      const n = Number(text);
      if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(n) || n === 0) {
        return { ok: false, error: 'The starting amount must be a whole number other than 0 (negative to decrement)' };
      }
      return { ok: true, plan: { kind: 'counter', object, op: n > 0 ? 'increment' : 'decrement', amount: Math.abs(n) } };
    }
    case 'set':
    case 'register': {
      const parsed = parseValueInput(input.value, input.asJson);
      if (!parsed.ok) return parsed;
      return familyOf(input.type) === 'set'
        ? { ok: true, plan: { kind: 'set', object, element: parsed.value } }
        : { ok: true, plan: { kind: 'register', object, value: parsed.value } };
    }
  }
}
