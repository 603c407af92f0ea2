/** How long the Undo of a flag flipped from the tree stays valid. */
export const UNDO_WINDOW_MS = 8_000;

export interface FlagFlip {
  /** The value the flip set. */
  readonly enabled: boolean;
  /** When it was applied (ms since the epoch). */
  readonly at: number;
}

export type UndoPlan =
  | { readonly kind: 'undo'; readonly op: 'enable' | 'disable' }
  | { readonly kind: 'expired' }
  /** Someone (a teammate, another command) changed the flag since: undoing would overwrite them. */
  | { readonly kind: 'changed' };

/** What "Undo" does now, `now` ms since the epoch, with the flag's current value. */
export function undoPlan(flip: FlagFlip, now: number, current: boolean): UndoPlan {
  if (now - flip.at > UNDO_WINDOW_MS) return { kind: 'expired' };
  if (current !== flip.enabled) return { kind: 'changed' };
  return { kind: 'undo', op: flip.enabled ? 'disable' : 'enable' };
}
