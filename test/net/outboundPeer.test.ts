import assert from 'node:assert/strict';
import { Replica } from '../../src/core/replica';
import { BackoffOptions } from '../../src/net/backoff';
import { Connection } from '../../src/net/connection';
import { OutboundPeer } from '../../src/net/outboundPeer';
import { Listener } from '../../src/net/server';
import { waitUntil } from '../support/waitFor';
import { MemoryHost, identityOf, listenForTest, quiet } from './sessionHarness';

/** A peer that completes every handshake, then does what `onPeer` says with the link. */
async function poisonedPeer(onPeer: (conn: Connection) => void): Promise<Listener> {
  const identity = identityOf(new MemoryHost(new Replica('poisoned')));
  return listenForTest({ identity: () => identity, onPeer });
}

function dial(url: string, backoff: BackoffOptions): OutboundPeer {
  return new OutboundPeer(
    url,
    () => ({ role: 'peer', id: 'dialer', displayName: 'dialer', clock: () => ({}), secret: undefined }),
    backoff,
    { onConnected: () => undefined, onStateChange: () => undefined },
    quiet,
  );
}

describe('net: outbound peer backoff', function () {
  this.timeout(30_000);
  let listener: Listener;
  let link: OutboundPeer | undefined;
  afterEach(async () => {
    link?.stop();
    await listener.close();
  });

  it('keeps backing off when the peer drops the link right after each handshake', async () => {
    const handshakes: number[] = [];
    listener = await poisonedPeer((conn) => {
      handshakes.push(Date.now());
      conn.close();
    });
    link = dial(listener.url, { baseMs: 100, capMs: 10_000 });
    const start = Date.now();
    // Growing delays (50-100, 100-200, 200-400, 400-800, 800-1600 ms, ...) allow at most 6 dials in
    // 3 s; a backoff reset by every handshake would redial every 50-100 ms (30 and more).
    await waitUntil(() => Date.now() - start >= 3_000, { timeoutMs: 10_000 });
    const inWindow = handshakes.filter((t) => t - start < 3_000).length;
    assert.ok(inWindow >= 2, `only ${inWindow} handshakes`);
    assert.ok(inWindow <= 7, `${inWindow} handshakes in 3 s`);
  });

  it('starts over from the shortest delay after a link that stayed up long enough', async () => {
    const closedAt: number[] = [];
    const connectedAt: number[] = [];
    let keep = false;
    listener = await poisonedPeer((conn) => {
      connectedAt.push(Date.now());
      conn.onClose(() => closedAt.push(Date.now()));
      if (keep) setTimeout(() => conn.close(), 400);
      else conn.close();
    });
    link = dial(listener.url, { baseMs: 200, capMs: 20_000, stableAfterMs: 200 });
    // Four quick failures take the delay to 1.6-3.2 s; then one link stays up 400 ms (stable).
    await waitUntil(() => connectedAt.length >= 4, { timeoutMs: 20_000 });
    keep = true;
    await waitUntil(() => closedAt.length >= connectedAt.length && connectedAt.length >= 5 && closedAt.length >= 5, { timeoutMs: 20_000 });
    keep = false;
    await waitUntil(() => connectedAt.length >= 6, { timeoutMs: 20_000 });
    // After the stable link, the next dial waits 100-200 ms, not the 3.2-6.4 s the count had reached.
    const gap = connectedAt[5] - closedAt[4];
    assert.ok(gap < 1_500, `waited ${gap} ms after a stable link`);
  });
});
