import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkEncoder } from '../../src/core/codec/linkCodec';
import { encodeSnapshot } from '../../src/core/codec/snapshotCoding';
import { MinidoteError } from '../../src/core/errors';
import { Replica } from '../../src/core/replica';
import { MAX_SEQUENCE } from '../../src/core/vectorClock';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/net/messages';
import { PieceAssembler, PieceBudget, pendingPieceBytes } from '../../src/net/pieces';
import { waitUntil } from '../support/waitFor';
import { key } from './cluster';
import { MemoryHost, closedWith, connectAs, identityOf, linkHosts, listenForTest } from './sessionHarness';
import { DEFAULT_TIMING, PeerSession } from '../../src/net/peerSession';

const bigSet = key('set_aw', 'big', 'members');

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function assemble(pieces: readonly Uint8Array[], assembler = new PieceAssembler('test')): Uint8Array | undefined {
  let result: Uint8Array | undefined;
  pieces.forEach((piece, i) => (result = assembler.add(piece, i === pieces.length - 1)));
  return result;
}

describe('net: snapshots and large transactions in pieces', function () {
  this.timeout(120_000);

  it('cuts any message into pieces that join back to it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (message, size) => {
        const pieces = new LinkEncoder(size).outgoing(message.slice());
        assert.ok(pieces.length >= 1);
        assert.equal(pieces.length, message.length <= size ? 1 : Math.ceil(message.length / size));
        if (message.length <= size) assert.deepEqual(pieces[0], message);
      }),
    );
  });

  it('reassembles bytes cut into pieces', () => {
    assert.deepEqual(assemble([bytes('ab'), bytes('cd'), bytes('e')]), bytes('abcde'));
    assert.deepEqual(assemble([Buffer.alloc(0)]), Buffer.alloc(0));
  });

  it('refuses to hold more than its cap of pending pieces, and starts over afterwards', () => {
    const assembler = new PieceAssembler('snapshot', 100);
    assert.equal(assembler.add(new Uint8Array(60), false), undefined);
    assert.equal(assembler.pendingBytes, 60);
    assert.throws(
      () => assembler.add(new Uint8Array(60), false),
      (error: unknown) => error instanceof MinidoteError && error.kind === 'protocol' && /larger than 100 bytes/.test(error.message),
    );
    assert.equal(assembler.pendingBytes, 0);
    assert.deepEqual(assembler.add(bytes('{}'), true), bytes('{}'));
  });

  it('connections share one budget for unfinished snapshots: a second one is refused while the first holds it', () => {
    const budget = new PieceBudget(100);
    const first = new PieceAssembler('snapshot', 80, budget);
    const second = new PieceAssembler('snapshot', 80, budget);
    first.add(new Uint8Array(70), false);
    second.add(new Uint8Array(30), false);
    assert.throws(() => second.add(new Uint8Array(1), false), /already hold 100 bytes/);
    // The refused one starts over: what it held went back to the budget.
    assert.equal(budget.held, 70);
    first.clear();
    assert.equal(budget.held, 0);
    assert.deepEqual(second.add(bytes('{}'), true), bytes('{}'));
    assert.equal(budget.held, 0);
  });

  it('a peer that sends snapshot pieces and never the last one holds nothing once its link closes', async () => {
    const host = new MemoryHost(new Replica('holder'));
    const listener = await listenForTest({
      identity: () => identityOf(host),
      onPeer: (conn, hello) =>
        new PeerSession(
          conn,
          hello.id as string,
          '',
          hello.clock ?? {},
          host,
          DEFAULT_TIMING,
          () => undefined,
          () => undefined,
        ),
    });
    try {
      const { conn } = await connectAs(listener.url, { role: 'peer', id: 'teaser', clock: () => ({}), secret: undefined });
      const before = pendingPieceBytes();
      // The first piece of a large snapshot, and never the rest.
      conn.sendBytes(new LinkEncoder(200_000).snapshot(new Uint8Array(400_000))[0]);
      await waitUntil(() => pendingPieceBytes() > before);
      conn.close();
      await waitUntil(() => pendingPieceBytes() === before);
      assert.equal(host.installed, 0);
    } finally {
      await listener.close();
    }
  });

  it('a replica with one object larger than a message bootstraps a new replica over a real WebSocket', async () => {
    const source = new MemoryHost(new Replica('bigA'), true);
    for (let batch = 0; batch < 10; batch++) {
      const elements = Array.from({ length: 20_000 }, (_, i) => `member-${String(batch * 20_000 + i).padStart(6, '0')}-of-a-large-set`);
      await source.replica.update([{ ...bigSet, op: 'add_all', args: elements }]);
    }
    const snapshotBytes = encodeSnapshot(source.snapshot()).length;
    assert.ok(snapshotBytes > DEFAULT_MAX_MESSAGE_BYTES + 1024 * 1024, `the object is only ${snapshotBytes} bytes`);

    const target = new MemoryHost(new Replica('bigB'));
    const pair = await linkHosts(source, target);
    try {
      await waitUntil(() => target.installed > 0, { timeoutMs: 90_000 });
      assert.deepEqual(target.replica.clock, source.replica.clock);
      const value = target.replica.value(bigSet) as string[];
      assert.equal(value.length, 200_000);
      assert.deepEqual(value, source.replica.value(bigSet));
      assert.equal(pair.outbound.conn.closed, false);
    } finally {
      await pair.close();
    }
  });

  it('a transaction larger than a message (the reset of a 200,000-element set) replicates', async () => {
    const source = new MemoryHost(new Replica('resetA'));
    const target = new MemoryHost(new Replica('resetB'));
    for (let batch = 0; batch < 10; batch++) {
      const elements = Array.from({ length: 20_000 }, (_, i) => `member-${String(batch * 20_000 + i).padStart(6, '0')}-of-a-large-set`);
      await source.replica.update([{ ...bigSet, op: 'add_all', args: elements }]);
    }
    const pair = await linkHosts(source, target);
    try {
      await waitUntil(() => (target.replica.value(bigSet) as string[]).length === 200_000, { timeoutMs: 90_000 });
      await source.replica.update([{ ...bigSet, op: 'reset' }]);
      const reset = source.history[source.history.length - 1];
      const resetBytes = new LinkEncoder(Infinity).transactions([reset], Infinity)[0].length;
      assert.ok(resetBytes > DEFAULT_MAX_MESSAGE_BYTES, `the reset fits in one message (${resetBytes} bytes)`);
      (await pair.inbound).offer(reset);
      await waitUntil(() => (target.replica.value(bigSet) as string[]).length === 0, { timeoutMs: 90_000 });
      assert.deepEqual(target.replica.clock, source.replica.clock);
      assert.equal(pair.outbound.conn.closed, false);
    } finally {
      await pair.close();
    }
  });

  /** What each test peer sends as a frame, cut into pieces of 16 bytes by the encoder of its side of the link. */
  const whole = (): LinkEncoder => new LinkEncoder(Infinity);
  const malformed: [string, () => Uint8Array, RegExp][] = [
    [
      'a snapshot cut short',
      () => whole().snapshot(encodeSnapshot({ clock: { sender: 1 }, objects: [] }).subarray(0, -1))[0],
      /malformed binary data/,
    ],
    [
      'a snapshot that is not one',
      () => whole().snapshot(bytes('{"clock":{},"objects":['))[0],
      /malformed binary data|not a valid replica id/,
    ],
    [
      'a snapshot with a clock entry beyond the largest sequence number',
      () => whole().snapshot(encodeSnapshot({ clock: { a: MAX_SEQUENCE + 1 }, objects: [] }))[0],
      /must be at most/,
    ],
    ['pieces that do not join into a message', () => bytes('{"t":"txns","txns":[{"origin":"sender"}]}'), /announces|too short|checksum/],
    ['a piece inside pieces', () => new LinkEncoder(16).snapshot(new Uint8Array(64))[0], /a piece inside a message joined from pieces/],
  ];
  for (const [what, message, reason] of malformed) {
    it(`a peer sending ${what} in pieces is disconnected and nothing changes`, async () => {
      const host = new MemoryHost(new Replica('victim'));
      await host.replica.update([{ ...key('counter_pn', 'b', 'k'), op: 'increment', args: [3] }]);
      const before = host.replica.exportState();
      const listener = await listenForTest({
        identity: () => identityOf(host),
        onPeer: (conn, hello) =>
          new PeerSession(
            conn,
            hello.id as string,
            '',
            hello.clock ?? {},
            host,
            DEFAULT_TIMING,
            () => undefined,
            () => undefined,
          ),
      });
      try {
        const { conn } = await connectAs(listener.url, { role: 'peer', id: 'sender', clock: () => ({}), secret: undefined });
        const closed = closedWith(conn);
        for (const piece of new LinkEncoder(16).outgoing(message())) conn.sendBytes(piece);
        assert.match(await closed, reason);
        assert.equal(host.installed, 0);
        assert.deepEqual(host.replica.exportState(), before);
      } finally {
        await listener.close();
      }
    });
  }
});
