import assert from 'node:assert/strict';
import { PeerStatus } from '../../../src/node/minidoteNode';
import { flagChangeMessage, statusBarContent, watchedFlagName } from '../../../src/extension/statusText';

function peer(state: PeerStatus['state']): PeerStatus {
  return {
    id: 'b',
    url: 'ws://127.0.0.1:7001',
    direction: 'outbound',
    connected: state === 'connected',
    state,
    displayName: 'bob',
    lastSeen: null,
    clock: null,
    lastError: null,
  };
}

describe('extension/statusText', () => {
  const base = { peers: [], listening: null, enabledFlags: [] };

  it('shows the phase while the replica is not running', () => {
    assert.match(statusBarContent({ ...base, phase: 'starting' }).text, /sync~spin/);
    const failed = statusBarContent({ ...base, phase: 'failed', error: 'locked by pid 12' });
    assert.equal(failed.warning, true);
    assert.match(failed.tooltip, /locked by pid 12/);
  });

  it('shows the connection state and peer count', () => {
    assert.equal(statusBarContent({ ...base, phase: 'running' }).text, '$(database) Minidote: local');
    assert.equal(statusBarContent({ ...base, phase: 'running', peers: [peer('connected')] }).text, '$(radio-tower) Minidote: 1 peer');
    const partial = statusBarContent({ ...base, phase: 'running', peers: [peer('connected'), peer('reconnecting')] });
    assert.equal(partial.text, '$(radio-tower) Minidote: 1/2 peers');
    assert.equal(
      statusBarContent({ ...base, phase: 'running', peers: [peer('reconnecting')] }).text,
      '$(debug-disconnect) Minidote: 0/1 peer',
    );
    assert.match(
      statusBarContent({ ...base, phase: 'running', listening: 'ws://127.0.0.1:7878' }).tooltip,
      /Listening on ws:\/\/127\.0\.0\.1:7878/,
    );
  });

  it('names the enabled watched flags', () => {
    const content = statusBarContent({ ...base, phase: 'running', enabledFlags: ['deploy-freeze', 'ops/maintenance'] });
    assert.equal(content.text, '$(database) Minidote: local $(flag) deploy-freeze $(flag) ops/maintenance');
    assert.match(content.tooltip, /deploy-freeze, ops\/maintenance/);
  });

  it('matches watched flags by key or bucket/key, flags only', () => {
    const patterns = ['deploy-freeze', 'ops/maintenance'];
    assert.equal(watchedFlagName(patterns, { bucket: 'any', key: 'deploy-freeze', type: 'flag_ew' }), 'deploy-freeze');
    assert.equal(watchedFlagName(patterns, { bucket: 'ops', key: 'maintenance', type: 'flag_ew' }), 'ops/maintenance');
    assert.equal(watchedFlagName(patterns, { bucket: 'dev', key: 'maintenance', type: 'flag_ew' }), undefined);
    assert.equal(watchedFlagName(patterns, { bucket: 'any', key: 'deploy-freeze', type: 'set_aw' }), undefined);
    assert.equal(flagChangeMessage('deploy-freeze', true, 'bob'), 'Minidote: deploy-freeze was enabled by bob');
  });
});
