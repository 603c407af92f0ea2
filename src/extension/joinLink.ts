import { isLoopbackHost } from '../net/peerUrl';
import { t } from './localize';

/** What `os.networkInterfaces()` returns, reduced to what we read. */
export type Interfaces = Readonly<Record<string, readonly { address: string; family: string | number; internal: boolean }[] | undefined>>;

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The URL a teammate should connect to. A wildcard listen address is not reachable as such, so it
 * is replaced by this machine's first external IPv4 address (or loopback when there is none).
 */
export function joinUrl(listenUrl: string, interfaces: Interfaces): string {
  const url = new URL(listenUrl);
  if (!WILDCARD.has(url.hostname)) return listenUrl;
  const external = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .find((i) => !i.internal && (i.family === 'IPv4' || i.family === 4));
  return `${url.protocol}//${external?.address ?? '127.0.0.1'}:${url.port}`;
}

/** The hint shown with the copied URL. */
export function joinHint(url: string): string {
  const host = new URL(url).hostname;
  const reach = isLoopbackHost(host)
    ? t(' It is a loopback address: only this machine can use it (set minidote.listen.host and a team secret to share it).')
    : '';
  return t('Copied {0}. A teammate runs "Minidote: Connect to Peer" and pastes it.{1}', url, reach);
}
