import * as vscode from 'vscode';
import { Coalesced } from './coalesce';
import { NodeHost } from './nodeHost';
import { objectEntries } from './objectsModel';
import { MinidoteSettings } from './settings';
import { StatusContent, statusBarContent, watchedFlagName } from './statusText';

/** Connection state, peer count and the enabled watched flags; a click opens the replica panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('minidote.status', vscode.StatusBarAlignment.Left, 10);
  private readonly redraw = new Coalesced(() => this.update());
  private readonly subscriptions: { dispose(): void }[];
  private shown: StatusContent | undefined;

  constructor(
    private readonly host: NodeHost,
    private readonly settings: () => MinidoteSettings,
  ) {
    this.item.name = 'Minidote';
    this.item.command = 'minidote.showPanel';
    const refresh = () => this.redraw.trigger();
    this.subscriptions = [host.onPeersChanged(refresh), host.onDidChange(refresh), host.onPhaseChanged(refresh)];
    this.update();
    this.item.show();
  }

  /** What the item shows now (for the extension-host tests). */
  get content(): StatusContent | undefined {
    return this.shown;
  }

  /** Redraws now (settings changed). */
  update(): void {
    const node = this.host.node;
    const status = node?.status();
    const patterns = this.settings().statusBarFlags;
    const enabled = new Set<string>();
    if (node && patterns.length) {
      for (const { key, value } of objectEntries(node)) {
        const name = watchedFlagName(patterns, key);
        if (name !== undefined && value === true) enabled.add(name);
      }
    }
    this.shown = statusBarContent({
      phase: this.host.phase,
      error: this.host.error,
      peers: status?.peers ?? [],
      listening: status?.listening ?? null,
      enabledFlags: patterns.filter((p) => enabled.has(p)),
      attached: this.host.attached,
    });
    this.item.text = this.shown.text;
    this.item.tooltip = this.shown.tooltip;
    this.item.backgroundColor = this.shown.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.redraw.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
