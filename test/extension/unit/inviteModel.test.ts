import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateSecret } from '../../../src/net/auth';
import {
  addressChoices,
  addressLabel,
  buildJoinLink,
  decodedParts,
  isWildcardListen,
  joinConfirmation,
  parseJoinLink,
  peerUrlAt,
  serveLine,
} from '../../../src/extension/inviteModel';
import { parseInviteArgs } from '../../../src/extension/commandArgs';

const TARGET = { scheme: 'vscode', extensionId: 'minidote.minidote' };
const SECRET = 'correct-horse-battery-staple-42';

describe('extension/inviteModel', () => {
  describe('join links', () => {
    it('puts the peer in the query and the secret in the fragment', () => {
      assert.equal(
        buildJoinLink(TARGET, { peer: 'wss://hub.example:7878' }),
        'vscode://minidote.minidote/join?peer=wss%3A%2F%2Fhub.example%3A7878',
      );
      const link = buildJoinLink(TARGET, { peer: 'ws://192.168.1.20:7878', secret: SECRET });
      assert.match(link, /^vscode:\/\/minidote\.minidote\/join\?peer=[^#]*#secret=correct-horse-battery-staple-42$/);
    });

    it('reads back what it built, as VS Code decodes it, for any strong secret', () => {
      const secrets = fc.oneof(
        fc.constant(generateSecret()),
        fc.string({ minLength: 20, maxLength: 60 }).filter((s) => s.trim() === s && parseable(s)),
      );
      fc.assert(
        fc.property(secrets, fc.boolean(), (secret, withSecret) => {
          const request = { peer: 'wss://hub.example:7878', ...(withSecret && { secret }) };
          const parts = decodedParts(buildJoinLink(TARGET, request));
          assert.equal(parts.scheme, 'vscode');
          assert.equal(parts.authority, 'minidote.minidote');
          assert.deepEqual(parseJoinLink(parts), request);
        }),
      );
    });

    it('normalizes the peer and accepts the host:port shorthand', () => {
      assert.deepEqual(parseJoinLink({ path: '/join', query: 'peer=hub.example:7878', fragment: '' }), { peer: 'ws://hub.example:7878' });
    });

    it('refuses a link with another path, no peer, a bad peer, a weak secret or an unknown fragment', () => {
      assert.throws(() => parseJoinLink({ path: '/open', query: 'peer=ws://a:1', fragment: '' }), /not a join link/);
      assert.throws(() => parseJoinLink({ path: '/join', query: '', fragment: '' }), /names no peer/);
      assert.throws(() => parseJoinLink({ path: '/join', query: 'peer=http://a:1', fragment: '' }), /not a WebSocket address/);
      assert.throws(() => parseJoinLink({ path: '/join', query: 'peer=ws://a:1', fragment: 'secret=hunter2' }), /too weak/);
      assert.throws(() => parseJoinLink({ path: '/join', query: 'peer=ws://a:1', fragment: 'secret=' }), /empty/);
      assert.throws(() => parseJoinLink({ path: '/join', query: 'peer=ws://a:1', fragment: 'token=x' }), /unknown fragment/);
    });
  });

  describe('the join confirmation', () => {
    const peer = 'wss://hub.example:7878';

    it('names the peer and says whether the link carries the secret', () => {
      const withSecret = joinConfirmation({ peer, secret: SECRET }, undefined);
      assert.match(withSecret.message, /hub\.example:7878/);
      assert.match(withSecret.detail, /contains the team secret/);
      assert.match(withSecret.detail, /secret storage/);
      const without = joinConfirmation({ peer }, undefined);
      assert.doesNotMatch(without.detail, /contains the team secret/);
      assert.match(without.detail, /no team secret/);
      assert.equal(without.accept, 'Join');
    });

    it('warns when the link would replace a different secret, not when it is the same', () => {
      assert.match(joinConfirmation({ peer, secret: SECRET }, 'another-long-team-secret-9').detail, /REPLACES yours/);
      assert.doesNotMatch(joinConfirmation({ peer, secret: SECRET }, SECRET).detail, /REPLACES/);
      assert.match(joinConfirmation({ peer }, SECRET).detail, /current secret is kept/);
    });

    it('says the peer cannot check who you are only for a remote peer with no secret anywhere', () => {
      assert.match(joinConfirmation({ peer }, undefined).detail, /cannot check who you are/);
      assert.doesNotMatch(joinConfirmation({ peer: 'ws://127.0.0.1:7878' }, undefined).detail, /cannot check/);
      assert.doesNotMatch(joinConfirmation({ peer }, SECRET).detail, /cannot check/);
    });
  });

  describe('address choices', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      docker0: [{ address: '172.17.0.1', family: 'IPv4', internal: false }],
      tailscale0: [{ address: '100.64.0.7', family: 'IPv4', internal: false }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: '2001:db8::20', family: 'IPv6', internal: false },
        { address: '192.168.1.20', family: 4, internal: false },
      ],
    };

    it('offers physical IPv4 first, then IPv6, virtual and VPN adapters, loopback last; no link-local', () => {
      const choices = addressChoices(interfaces);
      assert.deepEqual(
        choices.map((c) => `${c.interfaceName} ${c.address}`),
        ['eth0 192.168.1.20', 'eth0 2001:db8::20', 'docker0 172.17.0.1', 'tailscale0 100.64.0.7', 'lo 127.0.0.1'],
      );
    });

    it('labels each address with its interface and what kind of adapter it is', () => {
      const [eth, , docker, , lo] = addressChoices(interfaces);
      assert.deepEqual(addressLabel(eth), { label: '192.168.1.20', description: 'eth0' });
      assert.deepEqual(addressLabel(docker), { label: '172.17.0.1', description: 'docker0 · virtual or VPN adapter' });
      assert.deepEqual(addressLabel(lo), { label: '127.0.0.1', description: 'lo · this machine only' });
    });

    it('builds the peer URL at the chosen address with the listen port, brackets for IPv6', () => {
      assert.equal(peerUrlAt('ws://0.0.0.0:7878', '192.168.1.20'), 'ws://192.168.1.20:7878');
      assert.equal(peerUrlAt('wss://[::]:8443', '2001:db8::20'), 'wss://[2001:db8::20]:8443');
      assert.equal(peerUrlAt('wss://[::]:443', 'hub.example'), 'wss://hub.example');
      assert.ok(isWildcardListen('ws://0.0.0.0:7878'));
      assert.ok(isWildcardListen('ws://[::]:7878'));
      assert.ok(!isWildcardListen('ws://127.0.0.1:7878'));
    });
  });

  it('gives the minidote serve line for a headless node, with a secret file when the team has a secret', () => {
    assert.equal(serveLine('ws://192.168.1.20:7878', false), 'minidote serve --data minidote-data --peer ws://192.168.1.20:7878');
    assert.match(serveLine('ws://192.168.1.20:7878', true), / --peer ws:\/\/192\.168\.1\.20:7878 --secret-file \S+$/);
  });

  it('reads the invite command argument and refuses a wrong one', () => {
    assert.equal(parseInviteArgs(undefined), undefined);
    assert.deepEqual(parseInviteArgs({ address: '10.0.0.2', includeSecret: true }), { address: '10.0.0.2', includeSecret: true });
    assert.throws(() => parseInviteArgs({ includeSecret: 'yes' }), /true or false/);
    assert.throws(() => parseInviteArgs('10.0.0.2'), /expected/);
  });
});

/** A secret the policy accepts (strong enough). */
function parseable(secret: string): boolean {
  try {
    parseJoinLink({ path: '/join', query: 'peer=ws://a:1', fragment: `secret=${secret}` });
    return true;
  } catch {
    return false;
  }
}
