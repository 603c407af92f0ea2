import * as vscode from 'vscode';
import { UnavailableError } from '../core/errors';
import { ObjectKey } from '../core/transaction';
import { Cancelled, Handler } from './commandFlow';
import { formatKeyRef } from './keyRef';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { parseReadArgs, parseWaitArgs, resolveReadKey, valueAsText } from './taskArgs';

/**
 * `minidote.read` and `minidote.waitForFlag`, made for tasks and launch configurations: a
 * `${input:…}` of type "command" gets their string result; undefined (a timeout, Cancel) stops the
 * task from running.
 */
export function taskHandlers(host: NodeHost): { 'minidote.read': Handler; 'minidote.waitForFlag': Handler } {
  return {
    'minidote.read': async (arg) => {
      const args = parseReadArgs(arg);
      const node = await host.whenReady();
      const key = resolveReadKey(args, node.listObjects());
      return valueAsText(node.value(key), args.format);
    },

    'minidote.waitForFlag': async (arg) => {
      const { ref, timeoutMs } = parseWaitArgs(arg);
      await host.whenReady();
      const key: ObjectKey = { ...ref, type: 'flag_ew' };
      // Read through the host: a settings change may reopen the node while we wait.
      const disabled = () => host.node !== undefined && host.node.value(key) !== true;
      if (disabled()) return 'false';
      const name = formatKeyRef(ref);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: t('Minidote: waiting until {0} is disabled…', name), cancellable: true },
        (_progress, cancel) => untilDisabled(host, disabled, timeoutMs, cancel, name),
      );
      return 'false';
    },
  };
}

function untilDisabled(
  host: NodeHost,
  disabled: () => boolean,
  timeoutMs: number,
  cancel: vscode.CancellationToken,
  name: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (disabled()) finish(resolve);
      else if (host.phase === 'closed' || host.phase === 'failed')
        finish(() => reject(new UnavailableError(t('the replica stopped while waiting for {0}', name))));
    };
    const subscriptions = [
      host.onDidChange(check),
      host.onPhaseChanged(check),
      cancel.onCancellationRequested(() => finish(() => reject(new Cancelled()))),
    ];
    const timer = setTimeout(
      () => finish(() => reject(new UnavailableError(t('{0} is still enabled after {1} s', name, Math.round(timeoutMs / 1000))))),
      timeoutMs,
    );
    function finish(settle: () => void): void {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
      settle();
    }
    check();
  });
}
