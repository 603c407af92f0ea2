import { errorMessage } from '../core/errors';
import { parsePeerUrl } from '../net/peerUrl';
import { isPort } from './commandArgs';
import { t } from './localize';

export const FSYNC_SETTINGS = ['always', 'interval', 'never'] as const;
export type FsyncSetting = (typeof FSYNC_SETTINGS)[number];

/** The `minidote.*` settings, checked. Defaults live in package.json's `contributes.configuration`. */
export interface MinidoteSettings {
  readonly peers: readonly string[];
  readonly listenHost: string;
  /** 0 = not listening. */
  readonly listenPort: number;
  /** Empty = the node's default name. */
  readonly displayName: string;
  readonly statusBarFlags: readonly string[];
  readonly fsync: FsyncSetting | undefined;
  /** The CA certificate file trusted for wss:// peers; absent = the system's authorities. */
  readonly tlsCaFile?: string;
}

/** Settings of the editor features only (the node does not depend on them). */
export interface EditorPreferences {
  /** Ask before the first permanent removal (from a set_2p) of a session. */
  readonly confirmPermanentRemoval: boolean;
}

export interface SettingsReading {
  readonly settings: MinidoteSettings;
  readonly editor: EditorPreferences;
  /** One plain sentence per ignored value, naming the setting. */
  readonly problems: readonly string[];
}

/** Reads a setting by its name under `minidote.` (e.g. "listen.port"); undefined when unset. */
export type SettingSource = (name: string) => unknown;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function readSettings(get: SettingSource): SettingsReading {
  const problems: string[] = [];
  const peers: string[] = [];
  const rawPeers = get('peers');
  if (rawPeers !== undefined && !Array.isArray(rawPeers)) problems.push(t('minidote.peers must be a list of ws:// URLs'));
  for (const entry of Array.isArray(rawPeers) ? rawPeers : []) {
    try {
      if (typeof entry !== 'string') throw new Error(t('{0} is not a string', JSON.stringify(entry)));
      const url = parsePeerUrl(entry);
      if (!peers.includes(url)) peers.push(url);
    } catch (error) {
      problems.push(t('minidote.peers: ignoring {0}: {1}', JSON.stringify(entry), errorMessage(error)));
    }
  }

  const host = get('listen.host');
  const listenHost = typeof host === 'string' && host.trim() !== '' ? host.trim() : '127.0.0.1';
  const port = get('listen.port') ?? 0;
  let listenPort = 0;
  if (typeof port === 'number' && isPort(port)) listenPort = port;
  else problems.push(t('minidote.listen.port: {0} is not a port from 0 to 65535; not listening', JSON.stringify(port)));

  const name = get('displayName');
  const fsync = get('storage.fsync');
  const fsyncOk = typeof fsync === 'string' && (FSYNC_SETTINGS as readonly string[]).includes(fsync);
  if (fsync !== undefined && !fsyncOk) {
    problems.push(t('minidote.storage.fsync: {0} is not one of {1}; using the default', JSON.stringify(fsync), FSYNC_SETTINGS.join(', ')));
  }
  const caFile = get('tls.caFile');
  const tlsCaFile = typeof caFile === 'string' ? caFile.trim() : '';
  return {
    settings: {
      peers,
      listenHost,
      listenPort,
      displayName: typeof name === 'string' ? name.trim() : '',
      statusBarFlags: strings(get('statusBar.flags'))
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      fsync: fsyncOk ? (fsync as FsyncSetting) : undefined,
      ...(tlsCaFile !== '' ? { tlsCaFile } : {}),
    },
    editor: { confirmPermanentRemoval: get('confirmPermanentRemoval') !== false },
    problems,
  };
}
