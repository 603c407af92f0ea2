import { InvalidInputError } from '../core/errors';
import { isLoopbackHost, parsePeerUrl } from '../net/peerUrl';
import { Interfaces } from './joinLink';
import { t } from './localize';
import { secretProblem } from './secretPolicy';

/** What a one-click join link asks for: a peer to add, and maybe the team secret. */
export interface JoinRequest {
  readonly peer: string;
  readonly secret?: string;
}

/** Where a join link points: the editor's URI scheme (`vscode`, `code-oss`…) and the extension id. */
export interface LinkTarget {
  readonly scheme: string;
  readonly extensionId: string;
}

export const JOIN_PATH = '/join';

/**
 * `vscode://publisher.name/join?peer=…[#secret=…]`. The secret rides in the fragment: a link that
 * passes through a web page or a redirect does not send its fragment to any server.
 */
export function buildJoinLink(target: LinkTarget, request: JoinRequest): string {
  const peer = parsePeerUrl(request.peer);
  const fragment = request.secret === undefined ? '' : `#secret=${encodeURIComponent(request.secret)}`;
  return `${target.scheme}://${target.extensionId}${JOIN_PATH}?peer=${encodeURIComponent(peer)}${fragment}`;
}

/** A URI's parts as VS Code hands them to a URI handler: already percent-decoded. */
export interface DecodedUriParts {
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

/**
 * Reads a join link from its decoded parts. The secret is everything after `secret=` (decoded
 * once by VS Code already, so a secret holding `&` or `=` survives); a weak one is refused.
 */
export function parseJoinLink(parts: DecodedUriParts): JoinRequest {
  if (parts.path !== JOIN_PATH) throw new InvalidInputError(t('this Minidote link is not a join link (its path is "{0}")', parts.path));
  const peerField = parts.query.split('&').find((field) => field.startsWith('peer='));
  if (!peerField || peerField === 'peer=') throw new InvalidInputError(t('this join link names no peer (expected ?peer=wss://HOST:PORT)'));
  const peer = parsePeerUrl(peerField.slice('peer='.length));
  if (parts.fragment === '') return { peer };
  if (!parts.fragment.startsWith('secret='))
    throw new InvalidInputError(t('this join link has an unknown fragment (expected #secret=...)'));
  const secret = parts.fragment.slice('secret='.length).trim();
  const weak = secret === '' ? t('the team secret in this join link is empty') : secretProblem(secret);
  if (weak) throw new InvalidInputError(weak);
  return { peer, secret };
}

/** Splits a pasted link like VS Code's URI parser does (the same decoded parts a handler gets). */
export function decodedParts(link: string): DecodedUriParts & { readonly scheme: string; readonly authority: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(link.trim());
  if (!match) throw new InvalidInputError(t('"{0}" is not a link', link));
  const decode = (text: string | undefined) => {
    try {
      return decodeURIComponent(text ?? '');
    } catch {
      throw new InvalidInputError(t('"{0}" is not a link', link));
    }
  };
  return { scheme: match[1], authority: decode(match[2]), path: decode(match[3]), query: decode(match[4]), fragment: decode(match[5]) };
}

/** How the join confirmation reads: the question, what it will do, and the button. */
export interface JoinConfirmation {
  readonly message: string;
  readonly detail: string;
  readonly accept: string;
}

/**
 * What the user confirms before a join link changes anything. A link can replace the secret this
 * editor uses with every peer, so it says so; an unencrypted `ws://` beyond this machine with no
 * secret at all is called out too.
 */
export function joinConfirmation(request: JoinRequest, currentSecret: string | undefined): JoinConfirmation {
  const lines: string[] = [];
  if (request.secret === undefined) {
    lines.push(currentSecret ? t('The link has no team secret: your current secret is kept.') : t('The link has no team secret.'));
    const host = new URL(request.peer).hostname;
    if (!currentSecret && !isLoopbackHost(host)) {
      lines.push(
        t('Without a secret the peer cannot check who you are; if it has one, ask the teammate for it ("Minidote: Set Team Secret").'),
      );
    }
  } else if (currentSecret === undefined) {
    lines.push(t('This link contains the team secret. It will be kept in VS Code secret storage and used with every peer.'));
  } else if (currentSecret === request.secret) {
    lines.push(t('This link contains the team secret, the same one you already have.'));
  } else {
    lines.push(
      t('This link contains a team secret that REPLACES yours. Every peer that uses your current secret will refuse this editor.'),
    );
  }
  lines.push(t('The peer is added to your user settings (minidote.peers), so this editor rejoins next time.'));
  return { message: t('Join the Minidote team at {0}?', request.peer), detail: lines.join('\n\n'), accept: t('Join') };
}

/** One of this machine's addresses a teammate could reach, with the interface it belongs to. */
export interface AddressChoice {
  readonly address: string;
  readonly interfaceName: string;
  readonly family: 'IPv4' | 'IPv6';
  /** Docker bridges, VM and VPN adapters: often not the address a teammate can reach. */
  readonly virtual: boolean;
  readonly loopback: boolean;
}

const VIRTUAL_INTERFACE =
  /^(docker|br-|veth|virbr|vboxnet|vmnet|vnic|lxc|lxd|cni|flannel|cali|podman|tun|tap|utun|wg|zt|tailscale|ham|ppp|ipsec|vEthernet|VirtualBox|VMware|Hyper-V)/i;

/**
 * The addresses to offer, best guess first: physical IPv4, physical IPv6, then virtual adapters,
 * loopback last. Link-local IPv6 is left out (it needs a zone id a teammate cannot use).
 */
export function addressChoices(interfaces: Interfaces): AddressChoice[] {
  const choices: AddressChoice[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    for (const entry of list ?? []) {
      const family = entry.family === 'IPv4' || entry.family === 4 ? 'IPv4' : 'IPv6';
      if (family === 'IPv6' && /^fe80:/i.test(entry.address)) continue;
      choices.push({
        address: entry.address,
        interfaceName: name,
        family,
        virtual: VIRTUAL_INTERFACE.test(name),
        loopback: entry.internal,
      });
    }
  }
  const rank = (c: AddressChoice) => (c.loopback ? 4 : c.virtual ? 2 : 0) + (c.family === 'IPv6' ? 1 : 0);
  return choices.sort((a, b) => rank(a) - rank(b));
}

/** The quick pick row of an address: the address, its interface and what kind of adapter it is. */
export function addressLabel(choice: AddressChoice): { label: string; description: string } {
  const kind = choice.loopback ? t('this machine only') : choice.virtual ? t('virtual or VPN adapter') : '';
  return { label: choice.address, description: kind ? `${choice.interfaceName} · ${kind}` : choice.interfaceName };
}

/** The peer URL teammates use: the listen URL's scheme and port, at the chosen address. */
export function peerUrlAt(listenUrl: string, address: string): string {
  const url = new URL(listenUrl);
  const host = address.includes(':') ? `[${address}]` : address;
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`;
}

/** The listen addresses that stand for every interface, which a teammate cannot dial as such. */
export function isWildcardListen(listenUrl: string): boolean {
  return ['0.0.0.0', '[::]', '::'].includes(new URL(listenUrl).hostname);
}

/** The command line that joins a headless node (`minidote serve`) to the same peer. */
export function serveLine(peer: string, withSecret: boolean): string {
  const secret = withSecret ? ' --secret-file minidote-secret.txt' : '';
  return `minidote serve --data minidote-data --peer ${parsePeerUrl(peer)}${secret}`;
}
