import { PanelUiState, restoreUiState } from '../model/uiState';

/** The part of the VS Code webview API that keeps state across reloads. */
export interface StateKeeper {
  getState(): unknown;
  setState(state: PanelUiState): void;
}

export class UiStore {
  private current: PanelUiState;

  constructor(private readonly keeper: StateKeeper) {
    this.current = restoreUiState(keeper.getState());
  }

  get state(): PanelUiState {
    return this.current;
  }

  update(patch: Partial<PanelUiState>): void {
    this.current = { ...this.current, ...patch };
    this.keeper.setState(this.current);
  }
}
