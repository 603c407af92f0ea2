import assert from 'node:assert/strict';
import { ObjectKey } from '../../src/core/transaction';
import { PanelSession } from '../../src/extension/panel/panelSession';
import { MinidoteNode } from '../../src/node/minidoteNode';
import {
  AddElementRequest,
  AssignRegisterRequest,
  ChangeCounterRequest,
  InspectRequest,
  HistoryRequest,
  MAX_TRANSACTIONS_SHOWN,
  ObjectEntry,
  PanelDelta,
  PanelSnapshot,
  ReadyRequest,
  RemoveElementRequest,
  SetFlagRequest,
  ValueAsOfRequest,
} from '../../src/webview/protocol';
import { NotificationMessage, ProtocolMessage, RequestType, ResponseMessage, requestMessage } from '../../src/webview/rpc';
import { tempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitFor';

const flag: ObjectKey & { type: 'flag_ew' } = { bucket: 'ops', key: 'freeze', type: 'flag_ew' };
const set2p: ObjectKey & { type: 'set_2p' } = { bucket: 'shop', key: 'banned', type: 'set_2p' };
const setAw: ObjectKey & { type: 'set_aw' } = { bucket: 'shop', key: 'cart', type: 'set_aw' };
const counter: ObjectKey & { type: 'counter_pn' } = { bucket: 'ops', key: 'deploys', type: 'counter_pn' };

/** An object entry without its last-change line, for comparing values and internals. */
function withoutLastChange({ lastChange: _lastChange, ...rest }: ObjectEntry): Omit<ObjectEntry, 'lastChange'> {
  return rest;
}

/** A session on a real node, with what it posted and a way to play the webview. */
class Harness {
  readonly posted: ProtocolMessage[] = [];
  readonly logged: string[] = [];
  readonly session: PanelSession;
  private nextId = 1;

  constructor(node: MinidoteNode | undefined) {
    this.session = new PanelSession((m) => this.posted.push(m), node, { log: (m) => this.logged.push(m) });
  }

  async request<P, R>(type: RequestType<P, R>, params: P): Promise<ResponseMessage> {
    const id = this.nextId++;
    await this.session.receive(requestMessage(type, id, params));
    const response = this.posted.find((m): m is ResponseMessage => m.kind === 'response' && m.id === id);
    assert.ok(response, `no response to request ${id}`);
    return response;
  }

  async ok<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const response = await this.request(type, params);
    assert.equal(response.ok, true, JSON.stringify(response));
    return (response as Extract<ResponseMessage, { ok: true }>).result as R;
  }

  notifications(method: string): NotificationMessage[] {
    return this.posted.filter((m): m is NotificationMessage => m.kind === 'notification' && m.method === method);
  }

  async nextNotification(method: string, after: number): Promise<NotificationMessage> {
    await waitUntil(() => this.notifications(method).length > after, { describe: () => `no ${method} notification` });
    return this.notifications(method)[after];
  }
}

describe('webview/panelSession (host side, real node)', () => {
  const dirs: { cleanup(): void }[] = [];
  const nodes: MinidoteNode[] = [];
  const harnesses: Harness[] = [];

  async function open(id: string): Promise<MinidoteNode> {
    const dir = tempDir(`minidote-panel-${id}-`);
    dirs.push(dir);
    const node = await MinidoteNode.open({ dataDir: dir.path, id, displayName: `Node ${id}`, fsync: 'never' });
    nodes.push(node);
    return node;
  }

  function harness(node: MinidoteNode | undefined): Harness {
    const made = new Harness(node);
    harnesses.push(made);
    return made;
  }

  afterEach(async () => {
    for (const h of harnesses.splice(0)) h.session.dispose();
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('answers "ready" with the whole state, then streams only what changed as one coalesced delta', async () => {
    const node = await open('alice');
    await node.update([{ ...flag, op: 'enable' }]);
    await node.update([{ bucket: 'other', key: 'untouched', type: 'register_mv', op: 'assign', args: ['x'] }]);
    const h = harness(node);
    const snapshot = await h.ok(ReadyRequest, {});
    assert.deepEqual(snapshot.self, { id: 'alice', displayName: 'Node alice', listening: null });
    assert.deepEqual(snapshot.clock, { alice: 2 });
    assert.equal(snapshot.objects.length, 2);
    const { lastChange, ...freeze } = snapshot.objects.find((o) => o.key === 'freeze') ?? {};
    assert.deepEqual(freeze, { ...flag, value: true });
    assert.deepEqual(
      lastChange && [lastChange.author, lastChange.op, lastChange.concurrent],
      ['Node alice', 'enabled', []],
      'who changed it last, by name',
    );
    assert.equal(snapshot.transactions.length, 2);
    assert.equal(snapshot.storage?.directory, node.storage.dir);
    assert.equal(snapshot.waitingTotal, 0);
    assert.deepEqual(snapshot.replicas, [], 'no other replica heard of');

    // Twenty updates in one go: one delta, holding the two objects they touched and nothing else.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        node.update([i % 2 ? { ...counter, op: 'increment', args: [1] } : { ...setAw, op: 'add', args: [`item${i}`] }]),
      ),
    );
    const delta = (await h.nextNotification('state/delta', 0)).params as PanelDelta;
    assert.deepEqual(delta.objects?.map((o) => o.key).sort(), ['cart', 'deploys']);
    assert.equal(delta.objects?.find((o) => o.key === 'deploys')?.value, 10);
    assert.deepEqual(delta.clock, { alice: 22 });
    assert.equal(delta.transactions?.length, 20);
    assert.equal(delta.peers, undefined, 'unchanged parts are not re-sent');
    assert.equal(delta.self, undefined);
    assert.equal(delta.replicas, undefined);
    assert.equal(h.notifications('state/delta').length, 1);
  });

  it('turns each action into one update and answers with the commit clock or the refusal', async () => {
    const node = await open('alice');
    const h = harness(node);
    await h.ok(ReadyRequest, {});
    assert.deepEqual(await h.ok(SetFlagRequest, { object: flag, enabled: true }), { clock: { alice: 1 } });
    assert.equal(node.replica.value(flag), true);
    await h.ok(SetFlagRequest, { object: flag, enabled: false });
    assert.equal(node.replica.value(flag), false);
    await h.ok(ChangeCounterRequest, { object: counter, op: 'decrement', amount: 5 });
    assert.equal(node.replica.value(counter), -5);
    await h.ok(AddElementRequest, { object: set2p, element: { sku: 7 } });
    assert.deepEqual(node.replica.value(set2p), [{ sku: 7 }]);
    await h.ok(RemoveElementRequest, { object: set2p, element: { sku: 7 } });
    const readd = await h.request(AddElementRequest, { object: set2p, element: { sku: 7 } });
    assert.deepEqual(readd.ok === false && readd.error, {
      kind: 'rejected',
      message: 'set_2p: {"sku":7} was removed and can never be added again',
    });
    await h.ok(AssignRegisterRequest, { object: { bucket: 'c', key: 'theme', type: 'register_mv' }, value: 'dark' });
    assert.deepEqual(node.replica.value({ bucket: 'c', key: 'theme', type: 'register_mv' }), ['dark']);
  });

  it("answers history and value-as-of requests from the node's log, and refuses a malformed one", async () => {
    const node = await open('alice');
    const h = harness(node);
    await h.ok(ReadyRequest, {});
    await node.update([{ ...counter, op: 'increment', args: [2] }]);
    await node.update([{ ...counter, op: 'decrement', args: [5] }]);
    const history = await h.ok(HistoryRequest, { object: counter });
    assert.deepEqual(
      history.entries.map((e) => [e.author, e.op, e.clock]),
      [
        ['Node alice', '−5', { alice: 2 }],
        ['Node alice', '+2', { alice: 1 }],
      ],
    );
    assert.equal(history.unavailableBefore, null);
    assert.deepEqual(await h.ok(ValueAsOfRequest, { object: counter, origin: 'alice', seq: 1 }), { available: true, value: 2 });
    assert.deepEqual(await h.ok(ValueAsOfRequest, { object: counter, origin: 'bob', seq: 1 }), { available: false });
    const bad = await h.request(ValueAsOfRequest, { object: counter, origin: 'alice', seq: 0 });
    assert.equal(bad.ok === false && bad.error.kind, 'invalid');
  });

  it('refuses malformed or hostile messages without touching the replica', async () => {
    const node = await open('alice');
    const h = harness(node);
    await h.ok(ReadyRequest, {});
    const attempts: unknown[] = [
      { kind: 'request', id: 100, method: 'flag/set', params: { object: { ...flag, type: 'set_aw' }, enabled: true } },
      { kind: 'request', id: 101, method: 'flag/set', params: { object: { ...flag, bucket: 'b'.repeat(600) }, enabled: true } },
      { kind: 'request', id: 102, method: 'set/add', params: { object: setAw } },
      { kind: 'request', id: 103, method: 'counter/change', params: { object: counter, op: 'increment', amount: 2 ** 60 } },
      { kind: 'request', id: 104, method: 'object/delete', params: { object: flag } },
      {
        kind: 'request',
        id: 105,
        method: 'register/assign',
        params: { object: { bucket: 'c', key: 'k', type: 'register_mv' }, value: { toString: null, nested: new Map() } },
      },
    ];
    for (const message of attempts) await h.session.receive(message);
    const answers = h.posted.filter((m): m is ResponseMessage => m.kind === 'response' && m.id >= 100);
    assert.deepEqual(
      answers.map((a) => [a.id, a.ok === false && a.error.kind]),
      [
        [100, 'invalid'],
        [101, 'invalid'],
        [102, 'invalid'],
        [103, 'invalid'],
        [104, 'invalid'],
        [105, 'invalid'],
      ],
    );
    for (const junk of [undefined, 'hello', { kind: 'request' }, { kind: 'response', id: 1, ok: true }]) await h.session.receive(junk);
    assert.equal(h.logged.length, 4);
    assert.deepEqual(node.replica.clock, {}, 'nothing was applied');
  });

  it('sends the internal state of inspected objects with their changes, until inspection stops', async () => {
    const node = await open('alice');
    const h = harness(node);
    await h.ok(ReadyRequest, {});
    await node.update([{ ...setAw, op: 'add', args: ['a'] }]);
    const first = await h.ok(InspectRequest, { object: setAw, watch: true });
    assert.deepEqual(first, { internal: [['a', ['alice:1:0']]] });
    await node.update([{ ...setAw, op: 'add', args: ['b'] }]);
    const watched = (await h.nextNotification('state/delta', 0)).params as PanelDelta;
    assert.deepEqual(watched.objects?.map(withoutLastChange), [
      {
        ...setAw,
        value: ['a', 'b'],
        internal: [
          ['a', ['alice:1:0']],
          ['b', ['alice:2:0']],
        ],
      },
    ]);
    assert.deepEqual(await h.ok(InspectRequest, { object: setAw, watch: false }), { internal: null });
    await node.update([{ ...setAw, op: 'remove', args: ['a'] }]);
    const plain = (await h.nextNotification('state/delta', 1)).params as PanelDelta;
    assert.deepEqual(plain.objects?.map(withoutLastChange), [{ ...setAw, value: ['b'] }]);
  });

  it('stays quiet before the page is ready and while it is away, and starts over when it comes back', async () => {
    const node = await open('alice');
    const h = harness(node);
    await node.update([{ ...flag, op: 'enable' }]);
    await h.ok(ReadyRequest, {});
    h.session.pause();
    await node.update([{ ...flag, op: 'disable' }]);
    const again = await h.ok(ReadyRequest, {});
    assert.deepEqual(again.clock, { alice: 2 });
    assert.equal(again.objects[0].value, false);
    await node.update([{ ...counter, op: 'increment' }]);
    await h.nextNotification('state/delta', 0);
    assert.equal(h.notifications('state/delta').length, 1, 'only the change after the second ready was streamed');
  });

  it('waits for a node before answering "ready", and resets the page when another node is attached', async () => {
    const h = harness(undefined);
    const pending = h.session.receive(requestMessage(ReadyRequest, 1000, {}));
    const early = await h.request(SetFlagRequest, { object: flag, enabled: true });
    assert.deepEqual(early.ok === false && early.error.kind, 'unavailable');
    const alice = await open('alice');
    h.session.attach(alice);
    await pending;
    const answer = h.posted.find((m): m is ResponseMessage => m.kind === 'response' && m.id === 1000);
    assert.equal(answer?.ok && (answer.result as PanelSnapshot).self.id, 'alice');

    const bob = await open('bob');
    await bob.update([{ ...counter, op: 'increment', args: [3] }]);
    h.session.attach(bob);
    const reset = (await h.nextNotification('state/reset', 0)).params as PanelSnapshot;
    assert.equal(reset.self.id, 'bob');
    assert.deepEqual(reset.objects.map(withoutLastChange), [{ ...counter, value: 3 }]);
  });

  it('replaces the transaction list when more arrived than the page can be told about', async () => {
    const node = await open('alice');
    const h = harness(node);
    await node.update([{ ...flag, op: 'enable' }]);
    await h.ok(ReadyRequest, {});
    await Promise.all(Array.from({ length: MAX_TRANSACTIONS_SHOWN + 20 }, () => node.update([{ ...counter, op: 'increment' }])));
    const delta = (await h.nextNotification('state/delta', 0)).params as PanelDelta;
    assert.equal(delta.replaceTransactions, true);
    assert.equal(delta.transactions?.length, MAX_TRANSACTIONS_SHOWN);
  });
});
