import assert from 'node:assert/strict';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { ReceiveOutcome, Replica, ReplicaSnapshot } from '../../src/core/replica';
import { ObjectKey, Transaction } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';
import { Connection } from '../../src/net/connection';
import { DEFAULT_TIMING, PeerSession, ReplicationHost } from '../../src/net/peerSession';
import { Listener } from '../../src/net/server';
import { waitUntil } from '../support/waitFor';
import { MemoryHost, connectAs, identityOf, linkHosts, listenForTest, testLog } from './sessionHarness';

/** Takes every transaction and remembers how many: measures the session, not the replica. */
class CountingHost implements ReplicationHost {
  readonly id = 'counting';
  received = 0;
  clock(): VectorClock {
    return {};
  }
  transactionsSince(): Transaction[] {
    return [];
  }
  transactionCostSince(): { records: number; bytes: number } {
    return { records: 0, bytes: 0 };
  }
  snapshot(): ReplicaSnapshot {
    return { clock: {}, objects: [] };
  }
  receive(): ReceiveOutcome {
    this.received++;
    return 'delivered';
  }

  logTogether(work: () => void): void {
    work();
  }
  installSnapshot(): void {
    throw new Error('no snapshot expected');
  }
}

/** Sends transactions as a peer's session would, over the binary link. */
function sendTxns(conn: Connection, encoder: LinkEncoder, txns: readonly Transaction[]): void {
  for (const message of encoder.transactions(txns, Infinity)) conn.sendBytes(message);
}

describe('net: peer session', function () {
  this.timeout(120_000);
  let listener: Listener;
  afterEach(() => listener.close());

  /** A listener whose sessions replicate into a CountingHost; resolves the session when a peer connects. */
  async function countingListener(host: CountingHost): Promise<() => PeerSession | undefined> {
    let session: PeerSession | undefined;
    listener = await listenForTest({
      identity: () => identityOf(host),
      onPeer: (conn, hello) =>
        (session = new PeerSession(conn, hello.id as string, '', hello.clock ?? {}, host, DEFAULT_TIMING, testLog, () => undefined)),
    });
    return () => session;
  }

  it('takes one message of 10,000 transactions that each name a replica not seen before, without a clock copy per transaction', async () => {
    const host = new CountingHost();
    const session = await countingListener(host);
    const { conn } = await connectAs(listener.url, { role: 'peer', id: 'wide', clock: () => ({}), secret: undefined });
    const COUNT = 10_000;
    const txns = Array.from({ length: COUNT }, (_, i) => ({ origin: `origin-${i}`, clock: { [`origin-${i}`]: 1 }, at: 0, effects: [] }));
    sendTxns(conn, new LinkEncoder(), txns);
    // Copying the growing clocks twice per transaction made this quadratic (tens of seconds);
    // raised in place it is linear.
    await waitUntil(() => host.received === COUNT, { timeoutMs: 30_000, describe: () => `${host.received} of ${COUNT}` });
    assert.equal(conn.closed, false);
    const peerClock = (session() as PeerSession).peerClock;
    assert.equal(Object.keys(peerClock).length, COUNT);
    assert.equal(peerClock[`origin-${COUNT - 1}`], 1);
    conn.close();
  });

  it('takes many transactions that each carry a 5,000-entry clock', async () => {
    const host = new CountingHost();
    const session = await countingListener(host);
    const { conn } = await connectAs(listener.url, { role: 'peer', id: 'wide', clock: () => ({}), secret: undefined });
    const WIDTH = 5_000;
    const PER_MESSAGE = 40;
    const MESSAGES = 5;
    const encoder = new LinkEncoder();
    for (let m = 0; m < MESSAGES; m++) {
      const txns = Array.from({ length: PER_MESSAGE }, (_, i) => {
        const seq = m * PER_MESSAGE + i + 1;
        const clock: Record<string, number> = { wide: seq };
        for (let e = 0; e < WIDTH; e++) clock[`r${e}`] = seq;
        return { origin: 'wide', clock, at: 0, effects: [] };
      });
      sendTxns(conn, encoder, txns);
    }
    const total = PER_MESSAGE * MESSAGES;
    await waitUntil(() => host.received === total, { timeoutMs: 60_000, describe: () => `${host.received} of ${total}` });
    assert.equal(conn.closed, false);
    const peerClock = (session() as PeerSession).peerClock;
    assert.equal(Object.keys(peerClock).length, WIDTH + 1);
    assert.equal(peerClock[`r${WIDTH - 1}`], total);
    conn.close();
  });

  it('hands out the peer clock as a value that later messages do not change', async () => {
    const host = new CountingHost();
    const session = await countingListener(host);
    const { conn } = await connectAs(listener.url, { role: 'peer', id: 'p', clock: () => ({ p: 1 }), secret: undefined });
    await waitUntil(() => session() !== undefined);
    const before = (session() as PeerSession).peerClock;
    sendTxns(conn, new LinkEncoder(), [{ origin: 'p', clock: { p: 2 }, at: 0, effects: [] }]);
    await waitUntil(() => host.received === 1);
    assert.deepEqual(before, { p: 1 });
    assert.deepEqual((session() as PeerSession).peerClock, { p: 2 });
    conn.close();
  });
});

describe('net: catch-up on connect', function () {
  this.timeout(120_000);
  const hits: ObjectKey = { type: 'counter_pn', bucket: 'catch-up', key: 'hits' };
  const members: ObjectKey = { type: 'set_aw', bucket: 'catch-up', key: 'members' };

  async function increments(host: MemoryHost, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await host.replica.update([{ ...hits, op: 'increment' }]);
  }

  it('sends a peer that missed a long history a snapshot, chosen without reading that history', async () => {
    const source = new MemoryHost(new Replica('longA'));
    await increments(source, 1500);
    const target = new MemoryHost(new Replica('longB'));
    const pair = await linkHosts(source, target);
    try {
      await waitUntil(() => target.installed > 0);
      assert.equal(target.replica.value(hits), 1500);
      assert.equal(source.historyReads, 0);
    } finally {
      await pair.close();
    }
  });

  it('sends a peer that missed a short history the transactions themselves', async () => {
    const source = new MemoryHost(new Replica('shortA'));
    await increments(source, 20);
    const target = new MemoryHost(new Replica('shortB'));
    const pair = await linkHosts(source, target);
    try {
      await waitUntil(() => target.replica.value(hits) === 20);
      assert.equal(target.installed, 0);
      assert.ok(source.historyReads > 0);
    } finally {
      await pair.close();
    }
  });

  it('does not send the history again when the peer tells its clock before the catch-up reaches it', async () => {
    const source = new MemoryHost(new Replica('onceA'));
    await increments(source, 20);
    let session: PeerSession | undefined;
    const listener = await listenForTest({
      identity: () => identityOf(source),
      onPeer: (conn, hello) =>
        (session = new PeerSession(conn, hello.id as string, '', hello.clock ?? {}, source, DEFAULT_TIMING, testLog, () => undefined)),
    });
    try {
      const { conn } = await connectAs(listener.url, { role: 'peer', id: 'onceB', clock: () => ({}), secret: undefined });
      const encoder = new LinkEncoder();
      // Its clock from before the catch-up, as a peer that announces itself on connecting sends it.
      for (const message of encoder.clock({}, [])) conn.sendBytes(message);
      for (const message of encoder.clock({ onceA: 20 })) conn.sendBytes(message);
      // Messages arrive in order: once the second clock is known, the first one was handled.
      await waitUntil(() => session?.peerClock.onceA === 20);
      assert.equal(source.historyReads, 1);
      conn.close();
    } finally {
      await listener.close();
    }
  });

  it('sends a long history as transactions when the state it built is larger', async () => {
    const source = new MemoryHost(new Replica('bulkyA'));
    const elements = Array.from({ length: 20_000 }, (_, i) => `a-rather-long-member-name-${i}`);
    await source.replica.update([{ ...members, op: 'add_all', args: elements }]);
    const target = new MemoryHost(new Replica('bulkyB'));
    target.replica.receive(source.history[0]);
    await increments(source, 1500);
    const pair = await linkHosts(source, target);
    try {
      await waitUntil(() => target.replica.value(hits) === 1500);
      assert.equal(target.installed, 0);
      assert.ok(source.historyReads > 0);
    } finally {
      await pair.close();
    }
  });
});
