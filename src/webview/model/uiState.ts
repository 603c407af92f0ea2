/**
 * The view state the webview keeps across reloads and hide/show (through the VS Code webview state):
 * only what the user chose, never replica data, which always comes fresh from the host.
 */
export interface PanelUiState {
  /** Object ids whose details (and internal state) are open. */
  readonly expanded: readonly string[];
  readonly collapsedBuckets: readonly string[];
  readonly collapsedSections: readonly string[];
  readonly filter: string;
}

export const initialUiState: PanelUiState = { expanded: [], collapsedBuckets: [], collapsedSections: [], filter: '' };

const MAX_REMEMBERED = 500;

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((x): x is string => typeof x === 'string').slice(0, MAX_REMEMBERED);
}

/** Whatever was saved may come from an older build: take what is well-formed, drop the rest. */
export function restoreUiState(saved: unknown): PanelUiState {
  if (saved === null || typeof saved !== 'object') return initialUiState;
  const s = saved as Record<string, unknown>;
  return {
    expanded: strings(s.expanded),
    collapsedBuckets: strings(s.collapsedBuckets),
    collapsedSections: strings(s.collapsedSections),
    filter: typeof s.filter === 'string' ? s.filter.slice(0, 200) : '',
  };
}

export function toggled(list: readonly string[], item: string, on: boolean): string[] {
  const rest = list.filter((x) => x !== item);
  return on ? [...rest, item] : rest;
}
