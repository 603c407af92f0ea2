import { TypeName } from '../core/crdt/crdtType';

export interface RemovalContext {
  readonly type: TypeName;
  /**
   * A person chose the element here (picked it, or clicked the tree's remove action). Keybindings,
   * tasks and other extensions pass their arguments on purpose and are never asked.
   */
  readonly interactive: boolean;
  /** The `minidote.confirmPermanentRemoval` setting. */
  readonly confirmSetting: boolean;
  /** The user already confirmed one permanent removal in this session. */
  readonly confirmedThisSession: boolean;
}

/**
 * Removing from a `set_2p` is permanent (the element can never be added again), so the first such
 * removal of a session asks first, unless the user said not to ask again.
 */
export function needsRemovalConfirmation(context: RemovalContext): boolean {
  return context.type === 'set_2p' && context.interactive && context.confirmSetting && !context.confirmedThisSession;
}

/** A tree element's node (the inline remove action passes it) rather than arguments someone wrote. */
export function isTreeElementArg(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'element';
}
