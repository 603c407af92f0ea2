import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MinidoteError } from '../../src/core/errors';
import { Replica } from '../../src/core/replica';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/net/messages';
import { SnapshotAssembler, SnapshotBudget, pendingSnapshotBytes, snapshotPieces } from '../../src/net/snapshotTransfer';
import { waitUntil } from '../support/waitFor';
import { key } from './cluster';
import { MemoryHost, closedWith, connectAs, identityOf, linkHosts, listenForTest } from './sessionHarness';
import { DEFAULT_TIMING, PeerSession } from '../../src/net/peerSession';

const bigSet = key('set_aw', 'big', 'members');

function assemble(pieces: readonly string[], assembler = new SnapshotAssembler()) {
  let result;
  pieces.forEach((piece, i) => (result = assembler.add(piece, i === pieces.length - 1)));
  return result;
}

describe('net: snapshot transfer in pieces', function () {
  this.timeout(120_000);

  it('cuts any text into pieces that join back to it, splitting surrogate pairs included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 7 }), (text, size) => {
        const pieces = snapshotPieces(text, size);
        assert.ok(pieces.length >= 1);
        assert.ok(pieces.every((p) => p.length <= size));
        // Each piece crosses the wire as JSON: lone surrogates must survive that too.
        assert.equal(pieces.map((p) => JSON.parse(JSON.stringify(p)) as string).join(''), text);
      }),
    );
  });

  it('reassembles a snapshot and checks it against the stored-snapshot schemas', () => {
    const snapshot = { clock: { a: 2 }, objects: [{ bucket: 'b', key: 'k', type: 'counter_pn', state: 5 }] };
    assert.deepEqual(assemble(snapshotPieces(JSON.stringify(snapshot), 10)), snapshot);
    assert.throws(() => assemble(snapshotPieces('{"clock":{"a":-1},"objects":[]}', 10)), /snapshot is malformed/);
    assert.throws(() => assemble(snapshotPieces('{"clock":{},"objects":[{"type":"nope"}]}', 10)), /snapshot is malformed/);
    assert.throws(() => assemble(['{"clock":', '{}']), /not JSON/);
  });

  it('refuses to hold more than its cap of pending pieces, and starts over afterwards', () => {
    const assembler = new SnapshotAssembler(100);
    assert.equal(assembler.add('x'.repeat(60), false), undefined);
    assert.equal(assembler.pendingChars, 60);
    assert.throws(
      () => assembler.add('x'.repeat(60), false),
      (error: unknown) => error instanceof MinidoteError && error.kind === 'protocol' && /larger than 100 bytes/.test(error.message),
    );
    assert.equal(assembler.pendingChars, 0);
    assert.deepEqual(assembler.add('{"clock":{},"objects":[]}', true), { clock: {}, objects: [] });
  });

  it('connections share one budget for unfinished snapshots: a second one is refused while the first holds it', () => {
    const budget = new SnapshotBudget(100);
    const first = new SnapshotAssembler(80, budget);
    const second = new SnapshotAssembler(80, budget);
    first.add('x'.repeat(70), false);
    second.add('x'.repeat(30), false);
    assert.throws(() => second.add('x'.repeat(1), false), /already hold 100 bytes/);
    assert.equal(budget.held, 70);
    first.clear();
    assert.equal(budget.held, 0);
    assert.deepEqual(second.add('{"clock":{},"objects":[]}', true), { clock: {}, objects: [] });
    assert.equal(budget.held, 0);
  });

  it('a peer that sends snapshot pieces and never the last one holds nothing once its link closes', async () => {
    const host = new MemoryHost(new Replica('holder'));
    const listener = await listenForTest({
      identity: () => identityOf(host),
      onPeer: (conn, hello) => new PeerSession(conn, hello.id as string, '', hello.clock ?? {}, host, DEFAULT_TIMING, () => undefined, () => undefined),
    });
    try {
      const { conn } = await connectAs(listener.url, { role: 'peer', id: 'teaser', clock: () => ({}), secret: undefined });
      const before = pendingSnapshotBytes();
      conn.send({ t: 'snapshotPart', data: `{"clock":{},"objects":[${'"x",'.repeat(100_000)}`, last: false });
      await waitUntil(() => pendingSnapshotBytes() > before);
      conn.close();
      await waitUntil(() => pendingSnapshotBytes() === before);
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

  it('a peer sending a malformed snapshot is disconnected and nothing is installed', async () => {
    const host = new MemoryHost(new Replica('victim'));
    await host.replica.update([{ ...key('counter_pn', 'b', 'k'), op: 'increment', args: [3] }]);
    const before = host.replica.exportState();
    const listener = await listenForTest({
      identity: () => identityOf(host),
      onPeer: (conn, hello) => new PeerSession(conn, hello.id as string, '', hello.clock ?? {}, host, DEFAULT_TIMING, () => undefined, () => undefined),
    });
    try {
      const { conn } = await connectAs(listener.url, { role: 'peer', id: 'sender', clock: () => ({}), secret: undefined });
      const closed = closedWith(conn);
      const forged = JSON.stringify({ clock: { sender: 1 }, objects: [{ bucket: 'b', key: 'k', type: 'counter_pn' }] });
      for (const [i, data] of snapshotPieces(forged, 16).entries()) conn.send({ t: 'snapshotPart', data, last: i === Math.ceil(forged.length / 16) - 1 });
      assert.match(await closed, /snapshot is malformed/);
      assert.equal(host.installed, 0);
      assert.deepEqual(host.replica.exportState(), before);
    } finally {
      await listener.close();
    }
  });
});
