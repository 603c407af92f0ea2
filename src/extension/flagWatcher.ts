import * as vscode from 'vscode';
import { ReplicaChange } from '../core/replica';
import { objectId } from '../core/transaction';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { objectEntries } from './objectsModel';
import { MinidoteSettings } from './settings';
import { flagChangeMessage, watchedFlagName } from './statusText';

/** Tells the user who changed a watched flag when a transaction from another replica changed it. */
export class FlagWatcher {
  /** Last value seen of each watched flag, by object id. */
  private readonly known = new Map<string, boolean>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly host: NodeHost,
    private readonly settings: () => MinidoteSettings,
    private readonly notifier: Notifier,
  ) {
    this.subscriptions = [host.onDidChange((c) => this.onChange(c)), host.onPhaseChanged(() => this.resync())];
    this.resync();
  }

  /** Remembers the current values without notifying (start, reopen, snapshot, settings change). */
  resync(): void {
    this.known.clear();
    const node = this.host.node;
    const patterns = this.settings().statusBarFlags;
    if (!node) return;
    for (const { key, value } of objectEntries(node)) {
      if (watchedFlagName(patterns, key) !== undefined) this.known.set(objectId(key), value === true);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private onChange(change: ReplicaChange): void {
    const node = this.host.node;
    if (!node) return;
    if (change.kind === 'snapshot') return this.resync();
    const patterns = this.settings().statusBarFlags;
    for (const effect of change.transaction.effects) {
      const name = watchedFlagName(patterns, effect);
      if (name === undefined) continue;
      const id = objectId(effect);
      const now = node.value(effect) === true;
      const before = this.known.get(id) ?? false;
      this.known.set(id, now);
      if (change.local || now === before) continue;
      const show = t('Show in Panel');
      void this.notifier.info(flagChangeMessage(name, now, node.displayNameOf(change.transaction.origin)), show).then((choice) => {
        if (choice === show) void vscode.commands.executeCommand('minidote.showPanel');
      });
    }
  }
}
