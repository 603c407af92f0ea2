import { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { isLoopbackHost } from './peerUrl';

/**
 * Which WebSocket upgrades a listener accepts before any byte of the protocol is spoken.
 *
 * - No browser is a legitimate client, and browsers always send `Origin` on a WebSocket upgrade
 *   (scripts and the VS Code extension host do not): an upgrade with `Origin` is refused. This
 *   stops any web page from talking to a node, even one on 127.0.0.1 without a secret.
 * - A node bound to a loopback address accepts only a `Host` naming that address: the bound
 *   host:port, `localhost:port`, `127.0.0.1:port` or `[::1]:port`. A page that rebinds its own
 *   domain name to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`, and is refused.
 * - A node bound to any other address (0.0.0.0, ::, a LAN address) accepts any `Host`: teammates
 *   may reach it by any name, and listening beyond loopback requires the team secret anyway.
 */
export type HostRule = { readonly kind: 'any' } | { readonly kind: 'only'; readonly hosts: ReadonlySet<string> };

function hostPort(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const shown = isIP(bare) === 6 ? `[${bare}]` : bare;
  return `${shown}:${port}`;
}

/** The Host rule for a listener that asked for `requestedHost` and got `boundAddress`:`port`. */
export function hostRuleFor(requestedHost: string, boundAddress: string, port: number): HostRule {
  if (!isLoopbackHost(boundAddress)) return { kind: 'any' };
  const names = [requestedHost, boundAddress, 'localhost', '127.0.0.1', '::1'];
  const hosts = new Set(names.map((name) => hostPort(name, port)));
  // A client omits the default port from Host.
  if (port === 80) for (const name of names) hosts.add(hostPort(name, port).replace(/:80$/, ''));
  return { kind: 'only', hosts };
}

/** The reason to refuse this upgrade (sent with HTTP 403), or undefined to accept it. */
export function upgradeRefusal(headers: IncomingHttpHeaders, rule: HostRule): string | undefined {
  // Old browsers (WebSocket version 8) named it Sec-WebSocket-Origin.
  if (headers.origin !== undefined || headers['sec-websocket-origin'] !== undefined)
    return 'browsers may not connect to a Minidote node (Origin header present)';
  if (rule.kind === 'only') {
    const host = headers.host?.toLowerCase();
    if (host === undefined || !rule.hosts.has(host)) {
      return `Host "${headers.host ?? ''}" is not this node's loopback address`;
    }
  }
  return undefined;
}
