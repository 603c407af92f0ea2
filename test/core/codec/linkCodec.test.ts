import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc16 } from '../../../src/core/codec/checksum';
import { Decoded, LinkDecoder, LinkEncoder, PeerMessage } from '../../../src/core/codec/linkCodec';
import { encodeSnapshot } from '../../../src/core/codec/snapshotCoding';
import { InvalidInputError } from '../../../src/core/errors';
import { Replica, ReplicaSnapshot, validateTransaction } from '../../../src/core/replica';
import { Transaction } from '../../../src/core/transaction';
import { MAX_SEQUENCE, VectorClock } from '../../../src/core/vectorClock';
import { REPLICA_IDS, histories, transactionsOf } from './arbitraries';

const clockArbitrary: fc.Arbitrary<VectorClock> = fc
  .dictionary(fc.constantFrom(...REPLICA_IDS, 'x', 'y-1'), fc.integer({ min: 0, max: MAX_SEQUENCE }), { maxKeys: 6 })
  .map((clock) => ({ ...clock }));

/** Decodes every message in order, refusing gaps: what one direction of a link reads. */
function readAll(decoder: LinkDecoder, messages: readonly Uint8Array[]): PeerMessage[] {
  const out: PeerMessage[] = [];
  for (const message of messages) {
    const decoded = decoder.decode(message);
    assert.notEqual(decoded.t, 'gap', JSON.stringify(decoded));
    assert.notEqual(decoded.t, 'skipped');
    out.push(decoded as PeerMessage);
  }
  return out;
}

function assertSameTransactions(decoded: readonly Transaction[], original: readonly Transaction[]): void {
  assert.deepStrictEqual(decoded, original);
  // Replicas compare versions of a transaction by the JSON text of its effects: key order must survive too.
  assert.equal(JSON.stringify(decoded.map((t) => t.effects)), JSON.stringify(original.map((t) => t.effects)));
}

/** The transactions of a run, as a link sends them: in messages of various sizes. */
function sendAll(encoder: LinkEncoder, txns: readonly Transaction[], cuts: readonly number[]): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, txns.length]) {
    const end = Math.min(txns.length, start + cut);
    if (end > start) messages.push(...encoder.transactions(txns.slice(start, end), 64));
    start = end;
  }
  return messages;
}

/** A frame with its content replaced and its length and checksum made right again (message 0 of a link). */
function reframed(body: Uint8Array): Uint8Array {
  const length: number[] = [];
  for (let n = body.length; ; n = Math.floor(n / 128)) {
    length.push(n >= 128 ? (n % 128) | 0x80 : n);
    if (n < 128) break;
  }
  const frame = Uint8Array.from([...length, ...body, 0, 0]);
  const crc = crc16(frame, 0, frame.length - 2);
  frame[frame.length - 2] = crc >> 8;
  frame[frame.length - 1] = crc & 0xff;
  return frame;
}

function bodyOf(frame: Uint8Array): Uint8Array {
  let at = 0;
  while (frame[at] & 0x80) at++;
  return frame.slice(at + 1, frame.length - 2);
}

/** The next transaction of `txn`'s origin, `ms` later, nothing else in its clock changed. */
function successorOf(txn: Transaction, ms: number): Transaction {
  const clock = { ...txn.clock, [txn.origin]: txn.clock[txn.origin] + 1 };
  return { origin: txn.origin, clock, at: txn.at + ms, effects: [{ bucket: 'b', key: 'k', type: 'counter_pn', effect: 3 }] };
}

describe('core/codec: binary peer messages', function () {
  this.timeout(120_000);

  it('round-trips transactions of every type exactly, in messages of any size, on one link', async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 8 }), async (steps, cuts) => {
        const txns = await transactionsOf(steps);
        const encoder = new LinkEncoder();
        const decoder = new LinkDecoder();
        const decoded = readAll(decoder, sendAll(encoder, txns, cuts)).flatMap((m) => (m.t === 'txns' ? m.txns : []));
        assertSameTransactions(decoded, txns);
        // A replica takes them as it takes the originals.
        for (const txn of decoded) validateTransaction(txn);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips heartbeats (clocks as their changes, neighbours when they change), interleaved with transactions', async () => {
    await fc.assert(
      fc.asyncProperty(
        histories,
        fc.array(
          fc.record({
            clock: clockArbitrary,
            neighbors: fc.option(fc.uniqueArray(fc.constantFrom(...REPLICA_IDS), { maxLength: 4 }), { nil: undefined }),
          }),
          {
            minLength: 1,
            maxLength: 10,
          },
        ),
        async (steps, beats) => {
          const txns = await transactionsOf(steps);
          const encoder = new LinkEncoder();
          const decoder = new LinkDecoder();
          let sentNeighbors: string | undefined;
          for (const [i, beat] of beats.entries()) {
            const half = Math.ceil(txns.length / beats.length);
            const batch = txns.slice(i * half, (i + 1) * half);
            if (batch.length > 0)
              assertSameTransactions((readAll(decoder, encoder.transactions(batch, 1 << 20))[0] as { txns: Transaction[] }).txns, batch);
            const [message] = readAll(decoder, encoder.clock(beat.clock, beat.neighbors));
            assert.equal(message.t, 'clock');
            if (message.t !== 'clock') return;
            assert.deepStrictEqual({ ...message.clock }, beat.clock);
            const key = beat.neighbors?.join('\n');
            if (beat.neighbors !== undefined && key !== sentNeighbors) assert.deepEqual(message.neighbors, beat.neighbors);
            else assert.equal(message.neighbors, undefined);
            if (beat.neighbors !== undefined) sentNeighbors = key;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('round-trips snapshots of every type, whole and in pieces', async () => {
    await fc.assert(
      fc.asyncProperty(histories, fc.integer({ min: 8, max: 200 }), async (steps, pieceBytes) => {
        const txns = await transactionsOf(steps);
        const replica = new Replica('holder');
        for (const txn of txns) replica.receive(txn);
        const snapshot = replica.exportState();
        const encoder = new LinkEncoder(pieceBytes);
        const decoder = new LinkDecoder();
        const parts: Uint8Array[] = [];
        let whole: PeerMessage | undefined;
        for (const message of readAll(decoder, encoder.snapshot(encodeSnapshot(snapshot)))) {
          if (message.t !== 'piece') whole = message;
          else {
            parts.push(message.data);
            if (message.last) whole = decoder.decodeJoined(Buffer.concat(parts));
          }
        }
        assert.equal(whole?.t, 'snapshot');
        if (whole?.t !== 'snapshot') return;
        assert.deepStrictEqual(whole.snapshot, { clock: snapshot.clock, objects: snapshot.objects } satisfies ReplicaSnapshot);
        const copy = new Replica('copy');
        copy.importState(whole.snapshot);
        assert.deepStrictEqual(copy.exportState(), snapshot);
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips resync requests and restarts: the link starts afresh, names and clocks included', async () => {
    const txns = await transactionsOf([
      { at: 0, type: 'set_aw', key: 0, bucket: 'b', choice: 1, amount: 1, values: ['a', 'b'], deliverFrom: undefined, batch: false },
      { at: 1, type: 'flag_ew', key: 1, bucket: 'b', choice: 0, amount: 1, values: ['a'], deliverFrom: 0, batch: false },
      { at: 1, type: 'set_aw', key: 0, bucket: 'b', choice: 4, amount: 1, values: ['a'], deliverFrom: undefined, batch: false },
    ]);
    const there = new LinkEncoder();
    const here = new LinkDecoder();
    const back = new LinkEncoder();
    const backHere = new LinkDecoder();
    readAll(here, there.transactions(txns.slice(0, 1), 64));
    // One message lost on the way: the next one is a gap, and everything is skipped until the restart.
    there.transactions(txns.slice(1, 2), 64);
    const gap = here.decode(there.transactions(txns.slice(2), 64)[0]);
    assert.equal(gap.t, 'gap');
    if (gap.t !== 'gap') return;
    assert.equal(here.decode(there.clock({ alpha: 1 })[0]).t, 'skipped');
    const [request] = readAll(backHere, back.resync(gap.epoch));
    assert.deepEqual(request, { t: 'resync', epoch: gap.epoch });
    const restart = there.restart(gap.epoch);
    assert.equal(restart.length, 1);
    assert.deepEqual(there.restart(gap.epoch), [], 'a repeated request restarts nothing');
    assert.equal(here.decode(restart[0]).t, 'skipped');
    const again = readAll(here, there.transactions(txns.slice(1), 64)).flatMap((m) => (m.t === 'txns' ? m.txns : []));
    assertSameTransactions(again, txns.slice(1));
  });

  it('refuses every truncation and every changed byte of every message: a gap, never a message', async () => {
    const txns = await transactionsOf([
      {
        at: 0,
        type: 'register_mv',
        key: 0,
        bucket: 'b',
        choice: 0,
        amount: 1,
        values: [{ z: [1, 'ü'] }],
        deliverFrom: undefined,
        batch: false,
      },
      { at: 1, type: 'set_aw', key: 1, bucket: 'ünï', choice: 1, amount: 1, values: ['x', -0, 1.5], deliverFrom: 0, batch: true },
      { at: 0, type: 'counter_pn_sb', key: 2, bucket: 'b', choice: 0, amount: 7, values: ['x'], deliverFrom: 1, batch: false },
      { at: 1, type: 'flag_ew', key: 0, bucket: 'b', choice: 0, amount: 1, values: ['x'], deliverFrom: 0, batch: false },
    ]);
    const last = txns[txns.length - 1];
    const next = successorOf(last, 7);
    const encoder = new LinkEncoder();
    const messages = [
      ...encoder.transactions(txns.slice(0, 2), 1 << 20),
      ...encoder.transactions([successorOf(txns[1], 0)], 1 << 20),
      ...encoder.clock({ alpha: 3, constructor: 2 }, ['alpha']),
      ...encoder.transactions([...txns.slice(2), next, successorOf(next, 62)], 1 << 20),
      ...encoder.snapshot(
        encodeSnapshot({ clock: { alpha: 1 }, objects: [{ bucket: 'b', key: 'k', type: 'counter_pn', state: { alpha: 4 } }] }),
      ),
      ...encoder.resync(7),
    ];
    let variants = 0;
    for (const [k, message] of messages.entries()) {
      /** A decoder that has read the messages before message k. */
      const ready = (): LinkDecoder => {
        const decoder = new LinkDecoder();
        readAll(decoder, messages.slice(0, k));
        return decoder;
      };
      const refused = (variant: Uint8Array, what: string) => {
        let decoded: Decoded;
        try {
          decoded = ready().decode(variant);
        } catch (error) {
          assert.ok(error instanceof InvalidInputError, `${what}: ${String(error)}`);
          return;
        }
        assert.equal(decoded.t, 'gap', `${what} was read as ${decoded.t}`);
        variants++;
      };
      for (let length = 0; length < message.length; length++) refused(message.subarray(0, length), `message ${k} cut to ${length} bytes`);
      for (let at = 0; at < message.length; at++) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const variant = message.slice();
          variant[at] ^= flip;
          refused(variant, `message ${k} with byte ${at} ^ ${flip}`);
        }
      }
      // The message itself still reads: the refusals changed nothing.
      assert.notEqual(ready().decode(message).t, 'gap');
    }
    assert.ok(variants > 500, `only ${variants} variants`);
  });

  it('content that is well framed but not valid is refused with an InvalidInputError, or reads as transactions a replica accepts', async () => {
    const txns = await transactionsOf([
      { at: 0, type: 'set_aw', key: 0, bucket: 'b', choice: 1, amount: 1, values: ['x', { a: [1] }], deliverFrom: undefined, batch: true },
      { at: 1, type: 'register_mv', key: 1, bucket: 'b', choice: 0, amount: 1, values: ['v'], deliverFrom: 0, batch: false },
      { at: 0, type: 'flag_ew', key: 2, bucket: 'b', choice: 0, amount: 1, values: ['v'], deliverFrom: 1, batch: false },
      { at: 1, type: 'counter_pn_sb', key: 0, bucket: 'b', choice: 1, amount: 3, values: ['v'], deliverFrom: 0, batch: true },
      { at: 0, type: 'set_2p', key: 1, bucket: 'b', choice: 0, amount: 1, values: ['y', 2], deliverFrom: 1, batch: false },
    ]);
    const body = bodyOf(new LinkEncoder().transactions(txns, 1 << 20)[0]);
    await fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(body.length - 1), value: fc.nat(255) }), { minLength: 1, maxLength: 3 }), (changes) => {
        const changed = body.slice();
        for (const { at, value } of changes) changed[at] = value;
        let decoded: Decoded;
        try {
          decoded = new LinkDecoder().decode(reframed(changed));
        } catch (error) {
          assert.ok(error instanceof InvalidInputError, String(error));
          return;
        }
        if (decoded.t === 'txns') for (const txn of decoded.txns) validateTransaction(txn);
      }),
      { numRuns: 3000 },
    );
  });

  it("writes the next transaction of the last one's origin, a few ms later, with a one-byte head, and reads it back", () => {
    const first = successorOf({ origin: 'alpha', clock: { alpha: 3, b: 2 }, at: 1_700_000_000_000, effects: [] }, 0);
    const chain = [first, successorOf(first, 0), successorOf(successorOf(first, 0), 62)];
    const late = successorOf(chain[2], 63);
    const foreign: Transaction = { ...successorOf(late, 1), origin: 'b', clock: { alpha: 7, b: 3 } };
    const fractional = { ...successorOf(foreign, 1), at: foreign.at + 1.5 };
    const sizes = (txns: readonly Transaction[]) => {
      const encoder = new LinkEncoder();
      return txns.map((txn) => encoder.transactions([txn], 64)[0].length);
    };
    const all = [...chain, late, foreign, fractional];
    const [, second, third, fourth, fifth, sixth] = sizes(all);
    assert.equal(second, third);
    // One byte of head against the origin, its clock change and the time of the general form.
    assert.equal(fourth - third, 4, 'more than 62 ms later: the general head');
    assert.ok(fifth > third, 'another origin: the general head');
    assert.ok(sixth > third, 'a time that is not whole ms: the general head');
    const decoder = new LinkDecoder();
    const encoder = new LinkEncoder();
    assertSameTransactions(
      all.flatMap((txn) => (decoder.decode(encoder.transactions([txn], 64)[0]) as { txns: Transaction[] }).txns),
      all,
    );
  });

  it('writes an object the link has named as its number when transactions take turns between a few, also after a failed write gave its number to another', async () => {
    const replica = new Replica('alpha');
    const made: Transaction[] = [];
    replica.onChange((change) => {
      if (change.kind === 'transaction') made.push(change.transaction);
    });
    for (let i = 0; i < 12; i++) await replica.update([{ bucket: 'b', key: `k${i % 3}`, type: 'counter_pn', op: 'increment' }]);
    const encoder = new LinkEncoder();
    const decoder = new LinkDecoder();
    const sizes = made
      .map((txn) => encoder.transactions([txn], 64)[0])
      .map((message) => {
        const decoded = decoder.decode(message) as { txns: Transaction[] };
        return { message, txns: decoded.txns };
      });
    assertSameTransactions(
      sizes.flatMap((s) => s.txns),
      made,
    );
    // Once each of the three objects has been named, they all cost the same: a number, not the name.
    const later = sizes.slice(3).map((s) => s.message.length);
    assert.ok(Math.max(...later) < sizes[1].message.length, `${later} vs ${sizes[1].message.length}`);

    // A write that fails halfway rolls back the object it named: its number goes to the next new object.
    const next = async (key: string) => {
      await replica.update([{ bucket: 'b', key, type: 'counter_pn', op: 'increment' }]);
      return made[made.length - 1];
    };
    const named = await next('first');
    const broken: Transaction = { ...named, effects: [...named.effects, { ...named.effects[0], type: 'no-such-type' as never }] };
    assert.throws(() => encoder.transactions([broken], 64), InvalidInputError);
    const rest = [await next('second'), await next('first'), await next('second')];
    assertSameTransactions(
      rest.flatMap((txn) => (decoder.decode(encoder.transactions([txn], 64)[0]) as { txns: Transaction[] }).txns),
      rest,
    );
  });

  it('refuses a one-byte successor head with no transaction before it on the link, and one beyond the largest sequence number', () => {
    const first: Transaction = { origin: 'a', clock: { a: MAX_SEQUENCE }, at: 5, effects: [] };
    const encoder = new LinkEncoder();
    const [firstMessage] = encoder.transactions([first], 64);
    const [beyond] = encoder.transactions([successorOf(first, 1)], 64);
    const decoder = new LinkDecoder();
    decoder.decode(firstMessage);
    assert.throws(() => decoder.decode(beyond), /clock entry "a" would be/);
    // The same body as the first message of a link: it follows nothing.
    assert.throws(() => new LinkDecoder().decode(reframed(bodyOf(beyond))), /a transaction that follows none/);
  });

  it('refuses a clock entry beyond the largest sequence number and a transaction without its own sequence number', () => {
    const [largest] = new LinkEncoder().clock({ a: MAX_SEQUENCE });
    assert.deepEqual({ ...(new LinkDecoder().decode(largest) as { clock: VectorClock }).clock }, { a: MAX_SEQUENCE });
    // The encoder writes what it is given; the decoder is the one that checks.
    const [beyond] = new LinkEncoder().clock({ a: MAX_SEQUENCE + 1 });
    assert.throws(() => new LinkDecoder().decode(beyond), /clock entry "a" would be/);
    const [forged] = new LinkEncoder().transactions([{ origin: 'a', clock: { a: 1, b: MAX_SEQUENCE + 1 }, at: 0, effects: [] }], 64);
    assert.throws(() => new LinkDecoder().decode(forged), /clock entry "b" would be/);
    const [unsequenced] = new LinkEncoder().transactions([{ origin: 'a', clock: { a: 0 }, at: 0, effects: [] }], 64);
    assert.throws(() => new LinkDecoder().decode(unsequenced), /no sequence number/);
    const [badId] = new LinkEncoder().transactions([{ origin: 'not an id!', clock: { 'not an id!': 1 }, at: 0, effects: [] }], 64);
    assert.throws(() => new LinkDecoder().decode(badId), /not a valid replica id/);
    const [infinite] = new LinkEncoder().transactions([{ origin: 'a', clock: { a: 1 }, at: Infinity, effects: [] }], 64);
    assert.throws(() => new LinkDecoder().decode(infinite), /finite/);
  });
});
