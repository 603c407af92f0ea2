import { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './peerUrl';

/**
 * Which WebSocket upgrades a listener accepts before any byte of the protocol is spoken.
 *
 * - No browser is a legitimate client, and browsers always send `Origin` on a WebSocket upgrade
 *   (scripts and the VS Code extension host do not): an upgrade with `Origin` is refused. This
 *   stops any web page from talking to a node, even one on 127.0.0.1 without a secret.
 * - A node bound to a loopback address accepts only a `Host` whose name is a loopback name
 *   (`localhost`, 127.x.x.x, `[::1]`), on any port, so that port forwards (`ssh -L`, a local relay)
 *   work. A page that rebinds its own domain name to 127.0.0.1 (DNS rebinding) still sends its own
 *   name as `Host`, and is refused.
 * - A node bound to any other address (0.0.0.0, ::, a LAN address) accepts any `Host`: teammates
 *   may reach it by any name, and listening beyond loopback requires the team secret anyway.
 */
export type HostRule = { readonly kind: 'any' } | { readonly kind: 'loopback' };

/** The Host rule for a listener bound to `boundAddress`. */
export function hostRuleFor(boundAddress: string): HostRule {
  return isLoopbackHost(boundAddress) ? { kind: 'loopback' } : { kind: 'any' };
}

/** The name part of a Host header (`[::1]:7878` → `::1`, `localhost:80` → `localhost`). */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1];
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** The reason to refuse this upgrade (sent with HTTP 403), or undefined to accept it. */
export function upgradeRefusal(headers: IncomingHttpHeaders, rule: HostRule): string | undefined {
  // Old browsers (WebSocket version 8) named it Sec-WebSocket-Origin.
  if (headers.origin !== undefined || headers['sec-websocket-origin'] !== undefined)
    return 'browsers may not connect to a Minidote node (Origin header present)';
  if (rule.kind === 'loopback') {
    const host = headers.host?.toLowerCase();
    if (host === undefined || !isLoopbackHost(hostName(host))) return `Host "${headers.host ?? ''}" is not this node's loopback address`;
  }
  return undefined;
}
