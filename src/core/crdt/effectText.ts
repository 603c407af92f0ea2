import { Json, canonicalJson } from '../json';

const MAX_SHOWN = 3;
const MAX_TEXT = 40;

/** One value as a person reads it in a sentence: strings quoted, anything else as canonical JSON, cut short. */
export function shortValue(value: Json): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** "x", "x, y and z", "x, y, z and 4 more": a batch of elements in one line. */
export function valueList(values: readonly Json[]): string {
  const shown = values.slice(0, MAX_SHOWN).map(shortValue);
  const rest = values.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Signed amount with a real minus sign, as the UI shows counters: "+5", "−2". */
export function signedAmount(n: number): string {
  return n < 0 ? `−${-n}` : `+${n}`;
}
