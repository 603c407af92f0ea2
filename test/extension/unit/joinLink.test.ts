import assert from 'node:assert/strict';
import { joinHint, joinUrl } from '../../../src/extension/joinLink';

describe('extension/joinLink', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '192.168.1.20', family: 'IPv4', internal: false },
    ],
  };

  it('keeps a concrete listen address and replaces a wildcard with an external IPv4 one', () => {
    assert.equal(joinUrl('ws://127.0.0.1:7878', interfaces), 'ws://127.0.0.1:7878');
    assert.equal(joinUrl('ws://0.0.0.0:7878', interfaces), 'ws://192.168.1.20:7878');
    assert.equal(joinUrl('ws://0.0.0.0:7878', { lo: interfaces.lo }), 'ws://127.0.0.1:7878');
  });

  it('says how to use the link, and warns when only this machine can', () => {
    assert.match(joinHint('ws://192.168.1.20:7878'), /Connect to Peer/);
    assert.doesNotMatch(joinHint('ws://192.168.1.20:7878'), /loopback/);
    assert.match(joinHint('ws://127.0.0.1:7878'), /only this machine/);
  });
});
