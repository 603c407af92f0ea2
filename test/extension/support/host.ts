import * as vscode from 'vscode';
import { MinidoteApi } from '../../../src/extension/api';
import { INTERNALS, MinidoteInternals } from '../../../src/extension/extension';

export const EXTENSION_ID = 'minidote.minidote';

export interface Activated {
  readonly extension: vscode.Extension<MinidoteApi>;
  readonly api: MinidoteApi;
  readonly internals: MinidoteInternals;
}

export async function activated(): Promise<Activated> {
  const extension = vscode.extensions.getExtension<MinidoteApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  const api = await extension.activate();
  const internals = (api as unknown as Record<symbol, MinidoteInternals>)[INTERNALS];
  return { extension, api, internals };
}

/**
 * Waits until `condition` holds, re-checking when the extension reports a change (and on a slow
 * tick as a safety net, for state that has no event, like another process). A condition that
 * throws counts as not yet; its last error is part of the timeout message.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  internals?: MinidoteInternals,
  timeoutMs = 20_000,
): Promise<void> {
  let lastError = '';
  const holds = async (): Promise<boolean> => {
    try {
      return await condition();
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      return false;
    }
  };
  if (await holds()) return;
  await new Promise<void>((resolve, reject) => {
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      if (await holds()) {
        cleanup();
        resolve();
      }
      checking = false;
    };
    const subscriptions = internals
      ? [internals.host.onDidChange(check), internals.host.onPeersChanged(check), internals.host.onPhaseChanged(check)]
      : [];
    const tick = setInterval(check, 100);
    const timer = setTimeout(() => {
      cleanup();
      const last = lastError ? ` (last error: ${lastError})` : '';
      reject(new Error(`timed out after ${timeoutMs} ms waiting until ${typeof what === 'string' ? what : what()}${last}`));
    }, timeoutMs);
    function cleanup() {
      clearInterval(tick);
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    }
  });
}

/** Writes a minidote.* setting into the test workspace's .vscode/settings.json (undefined removes it). */
export async function setSetting(name: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('minidote').update(name, value, vscode.ConfigurationTarget.Workspace);
}

/** Notifications shown since `from` (an index into the history), as text. */
export function notificationsSince(internals: MinidoteInternals, from: number): string[] {
  return internals
    .notifications()
    .slice(from)
    .map((n) => `${n.severity}: ${n.message}`);
}
