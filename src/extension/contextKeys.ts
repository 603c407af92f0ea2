import * as vscode from 'vscode';
import { Coalesced } from './coalesce';
import { ContextKeyValues, contextKeyChanges, contextKeyValues } from './contextKeysModel';
import { NodeHost } from './nodeHost';
import { objectEntries } from './objectsModel';

export type SetContext = (name: string, value: unknown) => Thenable<unknown>;

const setContext: SetContext = (name, value) => vscode.commands.executeCommand('setContext', name, value);

/**
 * Keeps the `minidote.*` context keys in step with the replica: a flag a teammate flips changes
 * `minidote.flag.<bucket>/<key>` and `minidote.enabledFlags` as soon as the transaction arrives
 * (once per burst), so keybindings and menus that name it follow. Only keys whose value changed
 * are sent to the workbench.
 */
export class ContextKeys implements vscode.Disposable {
  private current: ContextKeyValues | undefined;
  private readonly redraw = new Coalesced(() => this.update());
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly host: NodeHost,
    private readonly set: SetContext = setContext,
  ) {
    const refresh = () => this.redraw.trigger();
    this.subscriptions = [host.onDidChange(refresh), host.onPeersChanged(refresh), host.onPhaseChanged(() => this.update())];
    this.update();
  }

  /** The values last sent (for the extension-host tests). */
  get values(): ContextKeyValues | undefined {
    return this.current;
  }

  update(): void {
    const node = this.host.node;
    const status = node?.status();
    const next = contextKeyValues({
      phase: this.host.phase,
      node: node && status && { listening: status.listening, peers: status.peers, objects: objectEntries(node) },
    });
    const changes = contextKeyChanges(this.current, next);
    this.current = next;
    for (const [name, value] of changes) void this.set(name, value);
  }

  dispose(): void {
    this.redraw.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
