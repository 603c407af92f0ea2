import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MinidoteError } from '../../src/core/errors';
import { Replica } from '../../src/core/replica';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/net/messages';
import { PieceAssembler, PieceBudget, pendingPieceBytes, textPieces } from '../../src/net/pieces';
import { waitUntil } from '../support/waitFor';
import { key } from './cluster';
import { MemoryHost, closedWith, connectAs, identityOf, linkHosts, listenForTest } from './sessionHarness';
import { DEFAULT_TIMING, PeerSession } from '../../src/net/peerSession';

const bigSet = key('set_aw', 'big', 'members');

function assemble(pieces: readonly string[], assembler = new PieceAssembler('test')): string | undefined {
  let result: string | undefined;
  pieces.forEach((piece, i) => (result = assembler.add(piece, i === pieces.length - 1)));
  return result;
}

describe('net: snapshots and large transactions in pieces', function () {
  this.timeout(120_000);

  it('cuts any text into pieces that join back to it, splitting surrogate pairs included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 7 }), (text, size) => {
        const pieces = textPieces(text, size);
        assert.ok(pieces.length >= 1);
        assert.ok(pieces.every((p) => p.length <= size));
        // Each piece crosses the wire as JSON: lone surrogates must survive that too.
        assert.equal(pieces.map((p) => JSON.parse(JSON.stringify(p)) as string).join(''), text);
      }),
    );
  });

  it('reassembles text cut into pieces', () => {
    const snapshot = { clock: { a: 2 }, objects: [{ bucket: 'b', key: 'k', type: 'counter_pn', state: 5 }] };
    assert.deepEqual(JSON.parse(assemble(textPieces(JSON.stringify(snapshot), 10)) ?? ''), snapshot);
    assert.equal(assemble(['']), '');
  });

  it('refuses to hold more than its cap of pending pieces, and starts over afterwards', () => {
    const assembler = new PieceAssembler('snapshot', 100);
    assert.equal(assembler.add('x'.repeat(60), false), undefined);
    assert.equal(assembler.pendingChars, 60);
    assert.throws(
      () => assembler.add('x'.repeat(60), false),
      (error: unknown) => error instanceof MinidoteError && error.kind === 'protocol' && /larger than 100 bytes/.test(error.message),
    );
    assert.equal(assembler.pendingChars, 0);
    assert.equal(assembler.add('{"clock":{},"objects":[]}', true), '{"clock":{},"objects":[]}');
  });

  it('connections share one budget for unfinished snapshots: a second one is refused while the first holds it', () => {
    const budget = new PieceBudget(100);
    const first = new PieceAssembler('snapshot', 80, budget);
    const second = new PieceAssembler('snapshot', 80, budget);
    first.add('x'.repeat(70), false);
    second.add('x'.repeat(30), false);
    assert.throws(() => second.add('x'.repeat(1), false), /already hold 100 bytes/);
    // The refused one starts over: what it held went back to the budget.
    assert.equal(budget.held, 70);
    first.clear();
    assert.equal(budget.held, 0);
    assert.equal(second.add('{}', true), '{}');
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
      conn.send({ t: 'snapshotPart', data: `{"clock":{},"objects":[${'"x",'.repeat(100_000)}`, last: false });
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
    const objectBytes = JSON.stringify(source.snapshot().objects[0]).length;
    assert.ok(objectBytes > DEFAULT_MAX_MESSAGE_BYTES + 1024 * 1024, `the object is only ${objectBytes} bytes`);

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
      assert.ok(JSON.stringify(reset).length > DEFAULT_MAX_MESSAGE_BYTES, 'the reset fits in one message');
      (await pair.inbound).offer(reset);
      await waitUntil(() => (target.replica.value(bigSet) as string[]).length === 0, { timeoutMs: 90_000 });
      assert.deepEqual(target.replica.clock, source.replica.clock);
      assert.equal(pair.outbound.conn.closed, false);
    } finally {
      await pair.close();
    }
  });

  const malformed: [string, 'snapshotPart' | 'txnsPart', string, RegExp][] = [
    [
      'a snapshot whose object has no state',
      'snapshotPart',
      JSON.stringify({ clock: { sender: 1 }, objects: [{ bucket: 'b', key: 'k', type: 'counter_pn' }] }),
      /^snapshot: invalid/,
    ],
    ['a snapshot that is not JSON', 'snapshotPart', '{"clock":{},"objects":[', /^snapshot: not JSON/],
    ['a snapshot with a negative clock entry', 'snapshotPart', '{"clock":{"a":-1},"objects":[]}', /^snapshot: invalid/],
    [
      'transactions of the wrong shape',
      'txnsPart',
      JSON.stringify({ t: 'txns', txns: [{ origin: 'sender', clock: { sender: 1 } }] }),
      /^transactions message: invalid/,
    ],
    ['transactions that are another message', 'txnsPart', JSON.stringify({ t: 'clock', clock: {} }), /^transactions message: invalid/],
  ];
  for (const [what, kind, text, reason] of malformed) {
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
        const pieces = textPieces(text, 16);
        pieces.forEach((data, i) => conn.send({ t: kind, data, last: i === pieces.length - 1 }));
        assert.match(await closed, reason);
        assert.equal(host.installed, 0);
        assert.deepEqual(host.replica.exportState(), before);
      } finally {
        await listener.close();
      }
    });
  }
});
