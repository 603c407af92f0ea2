import { Json } from '../../core/json';

export type ParsedInput = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly error: string };

/**
 * Reads what the user typed as an element or register value. As on the command line, text is a
 * string; with "JSON" on it must be valid JSON (numbers, objects, quoted strings…).
 */
export function parseValueInput(text: string, asJson: boolean): ParsedInput {
  if (!asJson) return text.length > 0 ? { ok: true, value: text } : { ok: false, error: 'Enter a value' };
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export type ParsedAmount = { readonly ok: true; readonly amount: number } | { readonly ok: false; readonly error: string };

export function parseAmount(text: string): ParsedAmount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, amount: 1 };
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'The amount must be a whole number ≥ 1' };
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && n >= 1 ? { ok: true, amount: n } : { ok: false, error: 'The amount must be a whole number ≥ 1' };
}
