import assert from 'node:assert/strict';
import { waitUntil } from '../support/waitFor';
import { Fleet, key, words } from './harness';
import { MiB, residentBytes, sampleResidentPeak } from './system';
import { StalledSocket, stallInFrame } from './wire';

describe('hostile 9: unauthenticated sockets', function () {
  this.timeout(90_000);
  let fleet: Fleet;
  let sockets: StalledSocket[] = [];
  beforeEach(() => {
    fleet = new Fleet();
  });
  afterEach(() => {
    for (const { socket } of sockets) socket.destroy();
    sockets = [];
    fleet.cleanup();
  });

  it('150 sockets stalled inside a 4 MiB frame are cut off within seconds and hold little memory', async () => {
    const a = await fleet.serve({ id: 'strangersA' });
    const before = residentBytes(a.pid);
    const peak = sampleResidentPeak(a.pid);
    const started = performance.now();
    sockets = await Promise.all(Array.from({ length: 150 }, () => stallInFrame(a.url, 4 * MiB - 1024, 16 * 1024)));
    const cutOff = () => sockets.filter((s) => s.closedAt() !== undefined).length;
    await waitUntil(() => cutOff() === sockets.length, { timeoutMs: 6000 }).catch(() => undefined);
    const inTime = sockets.filter((s) => (s.closedAt() ?? Infinity) - started <= 6000).length;
    const growth = peak.stop() - before;
    assert.ok(inTime >= 135, `only ${inTime} of 150 stalled sockets were closed within 6 s`);
    assert.ok(growth < 100 * MiB, `resident memory grew by ${Math.round(growth / MiB)} MiB`);

    const flag = key('flag_ew', 'strangers', 'after');
    await fleet.mustUpdate(a, words(flag, 'enable'));
    assert.equal(await fleet.value(a, flag), true);
  });
});
