import { Json } from '../../core/json';
import { ObjectKey } from '../../core/transaction';
import type { HistoryActions } from './historyView';

/**
 * What the panel's controls can ask the host to do. Each resolves once the host answered; a
 * refusal rejects with the host's reason, which the control shows next to itself.
 */
export interface PanelActions extends HistoryActions {
  setFlag(object: ObjectKey, enabled: boolean): Promise<void>;
  addElement(object: ObjectKey, element: Json): Promise<void>;
  removeElement(object: ObjectKey, element: Json): Promise<void>;
  changeCounter(object: ObjectKey, op: 'increment' | 'decrement', amount: number): Promise<void>;
  assign(object: ObjectKey, value: Json): Promise<void>;
  /** Starts or stops receiving the object's internal state with its updates. */
  inspect(object: ObjectKey, watch: boolean): void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
