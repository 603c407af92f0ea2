import { Handler, given } from './commandFlow';
import { formatKeyRef } from './keyRef';
import { t } from './localize';
import { NodeHost } from './nodeHost';
import { Notifier } from './notifier';
import { ObjectWatcher } from './objectWatcher';
import { objectEntries } from './objectsModel';
import { pickOne } from './prompts';
import { parseReadArgs, resolveReadKey } from './taskArgs';

/**
 * `minidote.watchObject`: pins an object (from the tree's context menu, an argument
 * `"bucket/key"` / `{ bucket, key, type? }`, or a quick pick), or unpins a pinned one. Resolves
 * with whether the object is watched now.
 */
export function watchHandlers(host: NodeHost, watcher: ObjectWatcher, notifier: Notifier): { 'minidote.watchObject': Handler } {
  return {
    'minidote.watchObject': async (arg) => {
      const node = await host.whenReady();
      const key =
        arg === undefined
          ? given(
              await pickOne(
                t('Minidote: Watch an Object'),
                objectEntries(node).map(({ key: k }) => ({
                  label: formatKeyRef(k),
                  description: `${k.type}${watcher.isWatched(k) ? ` · ${t('watched')}` : ''}`,
                  value: k,
                })),
              ),
            )
          : resolveReadKey(parseReadArgs(arg), node.listObjects());
      const watching = await watcher.toggle(key);
      void notifier.info(
        watching
          ? t('Minidote: watching {0}: you will be told when a teammate changes it', formatKeyRef(key))
          : t('Minidote: no longer watching {0}', formatKeyRef(key)),
      );
      return watching;
    },
  };
}
