import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TypeName as AnyTypeName } from '../../src/core/crdt/crdtType';
import { Effect, ObjectKey, Transaction } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';
import { Fleet, ServeNode, answersReadWithin, key, sleep, words } from './harness';
import { EvilPeer, effect, forgedTransaction, nested, tagOf, transaction } from './wire';

/**
 * An authenticated peer that sends anything but a well-formed new operation: malformed or unknown
 * messages, transactions with forged metadata, oversized content, gaps, second versions of
 * delivered transactions, snapshots and clocks that claim what they cannot show. No value may
 * change, reads stay prompt, and every acknowledged write survives a restart.
 */

const NODE_ID = 'propA';
/** The node's acknowledged writes are its transactions 1..OWN_WRITES. */
const OWN_WRITES = 3;
const TOO_BIG = 2 ** 53 - 1;

const TYPES = ['counter_pn', 'counter_pn_sb', 'set_aw', 'flag_ew', 'register_mv'] as const;
type TypeName = (typeof TYPES)[number];
const written = (type: TypeName): ObjectKey => key(type, 'prop', 'written');
const fresh = (type: TypeName): ObjectKey => key(type, 'prop', 'fresh');
const KEYS: ObjectKey[] = TYPES.flatMap((type) => [written(type), fresh(type)]);

const DEFECTS = [
  'sequence beyond the maximum',
  'dependency beyond the maximum',
  'invalid origin',
  'invalid clock key',
  'time 1e999',
  'time -1e999',
  'a field its type refuses',
  'value nested 100 deep',
  'unsafe counter delta',
  'no sequence number',
] as const;
type Defect = (typeof DEFECTS)[number];

type EvilMessage =
  | { readonly kind: 'text message'; readonly text: string }
  | { readonly kind: 'unknown kind'; readonly t: number }
  | { readonly kind: 'forged transaction'; readonly defect: Defect; readonly type: TypeName; readonly onWritten: boolean }
  | { readonly kind: 'oversized frame' }
  | { readonly kind: 'oversized element' }
  | { readonly kind: 'gapped transaction'; readonly seq: number; readonly type: TypeName; readonly onWritten: boolean }
  | { readonly kind: 'second version'; readonly seq: number; readonly type: TypeName }
  | {
      readonly kind: 'snapshot';
      readonly claim: 'own history beyond ours' | 'entry of 2^53-1' | 'other origins only' | 'stale';
      readonly n: number;
    }
  | { readonly kind: 'clock'; readonly claim: 'entry of 2^53-1' | 'invalid key' };

const typeArb = fc.constantFrom(...TYPES);
const messageArb: fc.Arbitrary<EvilMessage> = fc.oneof(
  fc.record({
    kind: fc.constant('text message' as const),
    text: fc.oneof(
      fc.constantFrom('{', 'not json', '{"t":"txns","txns":[]}', '{"t":"clock","clock":{}}', ''),
      fc.string().map((s) => `{${s}`),
    ),
  }),
  fc.record({ kind: fc.constant('unknown kind' as const), t: fc.constantFrom(0, 7, 9, 200, 255) }),
  fc.record({
    kind: fc.constant('forged transaction' as const),
    defect: fc.constantFrom(...DEFECTS),
    type: typeArb,
    onWritten: fc.boolean(),
  }),
  fc.constant({ kind: 'oversized frame' as const }),
  fc.constant({ kind: 'oversized element' as const }),
  fc.record({
    kind: fc.constant('gapped transaction' as const),
    seq: fc.integer({ min: 2, max: 1_000_000 }),
    type: typeArb,
    onWritten: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('second version' as const), seq: fc.integer({ min: 1, max: OWN_WRITES }), type: typeArb }),
  fc.record({
    kind: fc.constant('snapshot' as const),
    claim: fc.constantFrom('own history beyond ours' as const, 'entry of 2^53-1' as const, 'other origins only' as const, 'stale' as const),
    n: fc.integer({ min: 1, max: 1000 }),
  }),
  fc.record({ kind: fc.constant('clock' as const), claim: fc.constantFrom('entry of 2^53-1' as const, 'invalid key' as const) }),
);

/** A valid effect of `origin`'s transaction `seq` (what a defect then spoils). */
function validEffect(type: TypeName, place: ObjectKey, origin: string, seq: number): Effect {
  switch (type) {
    case 'counter_pn':
      return effect.counterPn(place, 5);
    case 'counter_pn_sb':
      return effect.counterPnSb(place, origin, 9);
    case 'set_aw':
      return effect.setAwAdd(place, tagOf(origin, seq), ['mallory']);
    case 'flag_ew':
      return effect.flagEnable(place, tagOf(origin, seq));
    case 'register_mv':
      return effect.registerAssign(place, tagOf(origin, seq), 'forged');
  }
}

/** A message to send. */
type Send = (evil: EvilPeer) => void;

/** What no encoder writes: a compact effect that `type` refuses to read (its validateEffect would refuse it too). */
const BEYOND_TAG_INDEX = [0x80, 0x94, 0xeb, 0xdc, 0x03]; // uvarint 1,000,000,000
const refusedEffectBytes: Record<TypeName, number[]> = {
  // A delta beyond the safe integer range.
  counter_pn: [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
  // Neither half.
  counter_pn_sb: [2, 1],
  set_aw: BEYOND_TAG_INDEX,
  flag_ew: [0, 1, ...BEYOND_TAG_INDEX],
  register_mv: [0, 1, 5, 1, 0x61, ...BEYOND_TAG_INDEX],
};

function forged(defect: Defect, type: TypeName, place: ObjectKey): Send {
  const origin = 'forger';
  const base = (effects: Effect[] = [validEffect(type, place, origin, 1)]): Transaction => transaction(origin, 1, effects);
  const txns =
    (txn: Transaction): Send =>
    (evil) =>
      evil.sendTxns([txn]);
  switch (defect) {
    case 'sequence beyond the maximum':
      return txns(transaction(origin, TOO_BIG, [validEffect(type, place, origin, TOO_BIG)]));
    case 'dependency beyond the maximum':
      return txns(transaction(origin, 1, [validEffect(type, place, origin, 1)], { victim: TOO_BIG }));
    case 'invalid origin':
      return txns(transaction('bad id!', 1, [validEffect(type, place, 'bad id!', 1)]));
    case 'invalid clock key':
      return txns(transaction(origin, 1, [validEffect(type, place, origin, 1)], { 'no spaces allowed': 0 }));
    case 'time 1e999':
      return txns({ ...base(), at: Infinity });
    case 'time -1e999':
      return txns({ ...base(), at: -Infinity });
    case 'a field its type refuses':
      return (evil) => evil.sendRaw(forgedTransaction(origin, 1, { ...place, type: type as AnyTypeName }, refusedEffectBytes[type]));
    case 'value nested 100 deep':
      return txns(base([effect.setAwAdd(place, tagOf(origin, 1), [nested(100)])]));
    case 'unsafe counter delta':
      return (evil) => evil.sendRaw(forgedTransaction(origin, 1, { ...place, type: 'counter_pn' }, refusedEffectBytes.counter_pn));
    case 'no sequence number':
      return txns({ origin, clock: { [origin]: 0 }, at: 0, effects: [validEffect(type, place, origin, 0)] });
  }
}

function render(message: EvilMessage): Send {
  switch (message.kind) {
    case 'text message':
      return (evil) => evil.sendText(message.text);
    case 'unknown kind':
      return (evil) => evil.sendRaw(Uint8Array.of(message.t, 0));
    case 'forged transaction':
      return forged(message.defect, message.type, (message.onWritten ? written : fresh)(message.type));
    case 'oversized frame':
      return (evil) => evil.conn.sendBytes(new Uint8Array(4.5 * 1024 * 1024));
    case 'oversized element':
      return (evil) =>
        evil.sendTxns([transaction('bigger', 1, [effect.setAwAdd(fresh('set_aw'), tagOf('bigger', 1), ['x'.repeat(1536 * 1024)])])]);
    case 'gapped transaction': {
      const place = (message.onWritten ? written : fresh)(message.type);
      return (evil) => evil.sendTxns([transaction('gapper', message.seq, [validEffect(message.type, place, 'gapper', message.seq)])]);
    }
    case 'second version': {
      const place = written(message.type);
      return (evil) => evil.sendTxns([transaction(NODE_ID, message.seq, [validEffect(message.type, place, NODE_ID, message.seq)])]);
    }
    case 'snapshot':
      return (evil) => evil.sendSnapshot({ clock: snapshotClock(message.claim, message.n), objects: [] });
    case 'clock':
      return (evil) => evil.sendClock(message.claim === 'invalid key' ? { 'not an id!': 1 } : { [NODE_ID]: TOO_BIG });
  }
}

function snapshotClock(claim: Extract<EvilMessage, { kind: 'snapshot' }>['claim'], n: number): VectorClock {
  return claim === 'own history beyond ours'
    ? { [NODE_ID]: OWN_WRITES + n, snapper: n }
    : claim === 'entry of 2^53-1'
      ? { [NODE_ID]: OWN_WRITES, snapper: TOO_BIG }
      : claim === 'other origins only'
        ? { snapper: n }
        : { [NODE_ID]: 1 };
}

describe('hostile: an authenticated peer sending random malformed, forged, oversized, gapped or conflicting messages', function () {
  this.timeout(900_000);

  it('changes no value, keeps reads prompt, and loses no acknowledged write across a restart', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(messageArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        const fleet = new Fleet();
        try {
          let node = await fleet.serve({ id: NODE_ID });
          await acknowledgedWrites(fleet, node);
          const expected = await answersReadWithin(fleet, node, KEYS, 5000);
          let evil = await EvilPeer.connect(node.url, { id: 'evil', secret: fleet.secret });
          for (const batch of batches) {
            for (const message of batch) {
              if (evil.isClosed) evil = await EvilPeer.connect(node.url, { id: 'evil', secret: fleet.secret });
              render(message)(evil);
              await evil.drained();
            }
            await sleep(300);
            const values = await answersReadWithin(fleet, node, KEYS, 1000);
            assert.deepEqual(values, expected, `after ${JSON.stringify(batch)}`);
          }
          await sleep(1000);
          assert.deepEqual(await answersReadWithin(fleet, node, KEYS, 1000), expected, 'a second after the last message');
          evil.close();
          node = await fleet.restart(node);
          assert.deepEqual((await fleet.timedRead(node, KEYS)).values, expected, 'after a restart');
        } finally {
          fleet.cleanup();
        }
      }),
      { seed: 0x5eed11, numRuns: 15, endOnFailure: true },
    );
  });
});

/** Three transactions of the node, one of them a batch, written through the CLI. */
async function acknowledgedWrites(fleet: Fleet, node: ServeNode): Promise<void> {
  const batch = path.join(fleet.dir('batch'), 'batch.json');
  writeFileSync(
    batch,
    JSON.stringify([
      { ...written('set_aw'), op: 'add', args: ['alice'] },
      { ...written('flag_ew'), op: 'enable', args: [] },
      { ...written('register_mv'), op: 'assign', args: ['v1'] },
    ]),
  );
  await fleet.mustUpdate(node, [], ['--batch', batch]);
  await fleet.mustUpdate(node, words(written('counter_pn'), 'increment', '7'));
  const last = await fleet.mustUpdate(node, words(written('counter_pn_sb'), 'increment', '3'));
  assert.equal(last[NODE_ID], OWN_WRITES);
}
