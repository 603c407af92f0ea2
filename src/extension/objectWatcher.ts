import * as vscode from 'vscode';
import { ReplicaChange } from '../core/replica';
import { ObjectKey, objectId } from '../core/transaction';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { toggledWatchList, watchedChangeMessages } from './watchModel';

const STATE_KEY = 'minidote.watchedObjects';

/**
 * Objects the user pinned ("Watch this object"), kept per workspace: when another replica changes
 * one, a notification names the person and offers to show the panel. It never takes focus.
 */
export class ObjectWatcher implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly host: NodeHost,
    private readonly state: vscode.Memento,
    private readonly notifier: Notifier,
  ) {
    this.subscription = host.onDidChange((change) => this.onChange(change));
  }

  isWatched(key: ObjectKey): boolean {
    return this.watched().includes(objectId(key));
  }

  /** Watches an object not watched yet, and the other way round; resolves with whether it is watched now. */
  async toggle(key: ObjectKey): Promise<boolean> {
    const next = toggledWatchList(this.watched(), key);
    await this.state.update(STATE_KEY, next);
    return next.includes(objectId(key));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private watched(): string[] {
    return this.state.get<string[]>(STATE_KEY, []);
  }

  private onChange(change: ReplicaChange): void {
    const node = this.host.node;
    if (change.kind !== 'transaction' || change.local || !node) return;
    const watched = new Set(this.watched());
    if (watched.size === 0) return;
    const who = node.displayNameOf(change.transaction.origin);
    for (const { message } of watchedChangeMessages(watched, change.transaction.effects, who)) {
      const show = t('Show in Panel');
      void this.notifier.info(t('Minidote: {0}', message), show).then((choice) => {
        if (choice === show) void vscode.commands.executeCommand('minidote.showPanel');
      });
    }
  }
}
