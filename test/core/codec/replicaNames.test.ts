import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteWriter } from '../../../src/core/codec/byteWriter';
import { Decoded, LinkDecoder, LinkEncoder, PeerMessage } from '../../../src/core/codec/linkCodec';
import { InvalidInputError } from '../../../src/core/errors';
import { MAX_DISPLAY_NAME_LENGTH, MAX_REPLICA_NAMES, ReplicaName } from '../../../src/core/replicaName';
import { MAX_SEQUENCE } from '../../../src/core/vectorClock';

const idArbitrary = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/);
const nameArbitrary: fc.Arbitrary<ReplicaName> = fc
  .record({
    id: idArbitrary,
    displayName: fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => s.length <= MAX_DISPLAY_NAME_LENGTH),
    lastSeen: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    seenBy: idArbitrary,
  })
  .map((name) => ({ ...name }));

function decodeOne(decoder: LinkDecoder, messages: readonly Uint8Array[]): PeerMessage {
  assert.equal(messages.length, 1);
  const decoded = decoder.decode(messages[0]);
  assert.ok(decoded.t !== 'gap' && decoded.t !== 'skipped', JSON.stringify(decoded));
  return decoded as PeerMessage;
}

describe('core/codec: replica names on a link', () => {
  it('round-trips lists of replica names, interleaved with heartbeats that share the id table', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nameArbitrary, { maxLength: 8 }), { minLength: 1, maxLength: 5 }), (batches) => {
        const encoder = new LinkEncoder();
        const decoder = new LinkDecoder();
        for (const names of batches) {
          assert.deepEqual(decodeOne(decoder, encoder.names(names)), { t: 'names', names });
          const clock = Object.fromEntries(names.map((n) => [n.id, 1]));
          assert.deepEqual({ ...(decodeOne(decoder, encoder.clock(clock)) as { clock: object }).clock }, clock);
        }
      }),
    );
  });

  it('sends a second mention of a replica id as its number', () => {
    const encoder = new LinkEncoder();
    const first = { id: 'replica-with-a-long-id', displayName: 'Ada', lastSeen: 1_700_000_000_000, seenBy: 'hub-replica-id' };
    const [once] = encoder.names([first]);
    const [again] = encoder.names([first]);
    assert.ok(again.length < once.length - first.id.length, `${again.length} vs ${once.length}`);
  });

  it('refuses at the sender what the receiver would refuse, before writing anything', () => {
    const encoder = new LinkEncoder();
    const long = 'x'.repeat(MAX_DISPLAY_NAME_LENGTH + 1);
    assert.throws(() => encoder.names([{ id: 'a', displayName: long, lastSeen: 1, seenBy: 'b' }]), InvalidInputError);
    assert.throws(() => encoder.names([{ id: 'a', displayName: 'A', lastSeen: -1, seenBy: 'b' }]), InvalidInputError);
    const tooMany = Array.from({ length: MAX_REPLICA_NAMES + 1 }, (_, i) => ({ id: `r${i}`, displayName: 'n', lastSeen: 1, seenBy: 'b' }));
    assert.throws(() => encoder.names(tooMany), InvalidInputError);
    // The link is still in step: the next message reads as message 0.
    const names = [{ id: 'a', displayName: 'A', lastSeen: 1, seenBy: 'b' }];
    assert.deepEqual(decodeOne(new LinkDecoder(), encoder.names(names)), { t: 'names', names });
  });

  it('refuses, as it reads, a display name over the limit and an id that is not a replica id', () => {
    const w = new ByteWriter();
    w.u8(7);
    w.uvarint(1);
    w.u8(0);
    w.string('a');
    w.string('A'.repeat(MAX_DISPLAY_NAME_LENGTH + 1));
    w.uvarint(1);
    w.uvarint(1);
    const [long] = new LinkEncoder().raw(w.bytes());
    assert.throws(() => new LinkDecoder().decode(long), /display name longer than/);
    const [badId] = new LinkEncoder().names([{ id: 'not an id!', displayName: 'A', lastSeen: 1, seenBy: 'b' }]);
    assert.throws(() => new LinkDecoder().decode(badId), /not a valid replica id/);
    const [badBy] = new LinkEncoder().names([{ id: 'a', displayName: 'A', lastSeen: 1, seenBy: '' }]);
    assert.throws(() => new LinkDecoder().decode(badBy), /not a valid replica id/);
  });

  it('refuses a count larger than the message or the limit, and bytes left over', () => {
    // 10,000 names announced, none there.
    const over = new LinkEncoder().raw(Uint8Array.from([7, 0x90, 0x4e]))[0];
    assert.throws(() => new LinkDecoder().decode(over), /number of replica names/);
    const [valid] = new LinkEncoder().names([]);
    assert.deepEqual(new LinkDecoder().decode(valid), { t: 'names', names: [] });
    const [extra] = new LinkEncoder().raw(Uint8Array.from([7, 0, 0]));
    assert.throws(() => new LinkDecoder().decode(extra), /unexpected bytes/);
  });

  it('any changed byte of a names message is refused with an InvalidInputError or reads as bounded names', () => {
    const names = [
      { id: 'ada', displayName: 'Ada Lovelace', lastSeen: 1_700_000_000_000, seenBy: 'hub' },
      { id: 'bob', displayName: 'Bob 🚀', lastSeen: MAX_SEQUENCE, seenBy: 'ada' },
    ];
    const [frame] = new LinkEncoder().names(names);
    let at = 0;
    while (frame[at] & 0x80) at++;
    const body = frame.slice(at + 1, frame.length - 2);
    fc.assert(
      fc.property(fc.nat(body.length - 1), fc.nat(255), (where, value) => {
        const changed = body.slice();
        changed[where] = value;
        let decoded: Decoded;
        try {
          decoded = new LinkDecoder().decode(new LinkEncoder().raw(changed)[0]);
        } catch (error) {
          assert.ok(error instanceof InvalidInputError, String(error));
          return;
        }
        if (decoded.t !== 'names') return;
        for (const name of decoded.names) {
          assert.ok(name.displayName.length <= MAX_DISPLAY_NAME_LENGTH);
          assert.ok(Number.isSafeInteger(name.lastSeen) && name.lastSeen >= 0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
