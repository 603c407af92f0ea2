import assert from 'node:assert/strict';
import { readSettings } from '../../../src/extension/settings';

const source = (values: Record<string, unknown>) => (name: string) => values[name];

describe('extension/settings', () => {
  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = readSettings(source({}));
    assert.deepEqual(settings, {
      peers: [],
      listenHost: '127.0.0.1',
      listenPort: 0,
      displayName: '',
      statusBarFlags: [],
      fsync: undefined,
    });
    assert.deepEqual(problems, []);
  });

  it('normalizes peers, drops duplicates and reports each bad entry by name', () => {
    const { settings, problems } = readSettings(source({ peers: ['ws://10.0.0.2:7878/', 'not a url', '10.0.0.2:7878', 'http://x:1', 5] }));
    assert.deepEqual(settings.peers, ['ws://10.0.0.2:7878']);
    assert.equal(problems.length, 3);
    assert.match(problems[0], /^minidote\.peers: ignoring "not a url": /);
    assert.match(problems[1], /"http:\/\/x:1".*not a WebSocket address/);
    assert.match(problems[2], /ignoring 5/);
  });

  it('checks the listen port and fsync policy, falling back with a reason', () => {
    const { settings, problems } = readSettings(source({ 'listen.port': 99999, 'storage.fsync': 'sometimes', 'listen.host': ' ' }));
    assert.equal(settings.listenPort, 0);
    assert.equal(settings.listenHost, '127.0.0.1');
    assert.equal(settings.fsync, undefined);
    assert.equal(problems.length, 2);
    assert.deepEqual(readSettings(source({ 'storage.fsync': 'interval', 'listen.port': 7878 })).settings.fsync, 'interval');
  });

  it('trims names and flag patterns', () => {
    const { settings } = readSettings(source({ displayName: ' ada ', 'statusBar.flags': [' deploy-freeze', '', 3, 'ops/x'] }));
    assert.equal(settings.displayName, 'ada');
    assert.deepEqual(settings.statusBarFlags, ['deploy-freeze', 'ops/x']);
  });
});
