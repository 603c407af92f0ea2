import { InvalidInputError } from '../core/errors';

/** Normalizes a peer or node address; accepts `host:port` as a shorthand for `ws://host:port`. */
export function parsePeerUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `ws://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidInputError(`"${input}" is not a valid address; expected ws://HOST:PORT`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidInputError(`"${input}" is not a WebSocket address; expected ws://HOST:PORT or wss://HOST:PORT`);
  }
  if (!url.hostname) throw new InvalidInputError(`"${input}" has no host; expected ws://HOST:PORT`);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}
