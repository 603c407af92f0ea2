import { TypeName } from '../core/crdt/crdtType';
import { keyRefProblem, parseKeyRef } from './keyRef';

/** A row of the key picker: an existing object, the "new key" row for the typed text, or a hint. */
export interface KeyChoice {
  readonly label: string;
  /** Undefined for the hint row shown while the typed text is not a bucket/key. */
  readonly target?: { readonly bucket: string; readonly key: string; readonly type?: TypeName };
  /** An object the replica holds (rather than the row offering to create the typed key). */
  readonly existing?: boolean;
}

export interface AcceptInput {
  /** The text in the picker's input box when Enter arrived. */
  readonly typed: string;
  /** The row the picker had active (or selected) then, if any. */
  readonly active?: KeyChoice;
  readonly existing: readonly KeyChoice[];
  /**
   * The user moved to the active row after typing (arrow keys, a click). Without it the active
   * row may be left over from an earlier text: Enter typed right after the text (a paste, a fast
   * typist) reaches the extension before the rows for the new text do.
   */
  readonly activeChosenAfterTyping: boolean;
}

/**
 * What Enter in the key picker picks: undefined keeps the picker open (the typed text is not a
 * bucket/key and no object is active). The typed text wins over a row left over from earlier text.
 */
export function acceptedChoice(input: AcceptInput): KeyChoice | undefined {
  const typed = input.typed.trim();
  const { active } = input;
  if (active?.target && active.label === typed) return active;
  if (keyRefProblem(typed) === undefined) {
    if (active?.target && active.existing && input.activeChosenAfterTyping) return active;
    const same = input.existing.filter((c) => c.label === typed);
    // Two objects of one family under one name (a set_aw and a set_2p): the type is asked next.
    return same.length === 1 ? same[0] : newKeyChoice(typed);
  }
  return active?.target ? active : undefined;
}

/** The row offering to create `typed` (a valid bucket/key). */
export function newKeyChoice(typed: string): KeyChoice {
  const text = typed.trim();
  return { label: text, target: parseKeyRef(text) };
}
