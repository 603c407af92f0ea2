import assert from 'node:assert/strict';
import { RejectedOperationError } from '../../src/core/errors';
import { HostClient } from '../../src/webview/hostClient';
import { AddElementRequest, ChangeCounterRequest, DeltaNotification, MAX_VALUE_TEXT, SetFlagRequest } from '../../src/webview/protocol';
import { MessageDispatcher, ProtocolMessage, RequestFailedError, ResponseMessage, requestMessage } from '../../src/webview/rpc';

const flag = { bucket: 'ops', key: 'freeze', type: 'flag_ew' as const };
const set = { bucket: 'shop', key: 'cart', type: 'set_aw' as const };

function hostDispatcher(invalid: string[] = []) {
  const calls: unknown[] = [];
  const dispatcher = new MessageDispatcher((reason) => invalid.push(reason))
    .onRequest(SetFlagRequest, (params) => {
      calls.push(params);
      return { clock: { a: 1 } };
    })
    .onRequest(AddElementRequest, ({ element }) => {
      if (element === 'removed') throw new RejectedOperationError('set_2p: "removed" was removed and can never be added again');
      if (element === 'boom') throw new Error('disk on fire');
      calls.push(element);
      return { clock: { a: 2 } };
    })
    .onRequest(ChangeCounterRequest, (params) => {
      calls.push(params);
      return { clock: { a: 3 } };
    });
  return { dispatcher, calls };
}

async function failure(dispatcher: MessageDispatcher, message: unknown): Promise<{ kind: string; message: string }> {
  const response = await dispatcher.dispatch(message);
  assert.ok(response, 'a request always gets a response');
  assert.equal(response.ok, false, `expected a refusal, got ${JSON.stringify(response)}`);
  return (response as Extract<ResponseMessage, { ok: false }>).error;
}

describe('webview protocol', () => {
  it('routes a valid request to its handler and answers with the result under the same id', async () => {
    const { dispatcher, calls } = hostDispatcher();
    const response = await dispatcher.dispatch(requestMessage(SetFlagRequest, 7, { object: flag, enabled: true }));
    assert.deepEqual(response, { kind: 'response', id: 7, ok: true, result: { clock: { a: 1 } } });
    assert.deepEqual(calls, [{ object: flag, enabled: true }]);
  });

  it('answers malformed parameters with an "invalid" error naming the field, without calling the handler', async () => {
    const { dispatcher, calls } = hostDispatcher();
    const wrongType = await failure(dispatcher, { kind: 'request', id: 1, method: 'flag/set', params: { object: set, enabled: true } });
    assert.equal(wrongType.kind, 'invalid');
    assert.match(wrongType.message, /flag\/set.*object\.type.*flag_ew/);
    const emptyKey = await failure(dispatcher, {
      kind: 'request',
      id: 2,
      method: 'flag/set',
      params: { object: { ...flag, key: '' }, enabled: true },
    });
    assert.match(emptyKey.message, /object\.key must not be empty/);
    const notBoolean = await failure(dispatcher, { kind: 'request', id: 3, method: 'flag/set', params: { object: flag, enabled: 'yes' } });
    assert.match(notBoolean.message, /enabled must be a boolean/);
    for (const amount of [0, -1, 1.5, '2', Number.MAX_SAFE_INTEGER + 2]) {
      const error = await failure(dispatcher, {
        kind: 'request',
        id: 4,
        method: 'counter/change',
        params: { object: { ...flag, type: 'counter_pn' }, op: 'increment', amount },
      });
      assert.equal(error.kind, 'invalid', `amount ${amount}`);
    }
    const badOp = await failure(dispatcher, {
      kind: 'request',
      id: 5,
      method: 'counter/change',
      params: { object: { ...flag, type: 'counter_pn' }, op: 'reset', amount: 1 },
    });
    assert.match(badOp.message, /op must be increment or decrement/);
    assert.deepEqual(calls, []);
  });

  it('accepts only plain JSON of bounded size and depth as elements', async () => {
    const { dispatcher, calls } = hostDispatcher();
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    const rejected: unknown[] = [deep, 'y'.repeat(MAX_VALUE_TEXT + 1), new Date(0), Number.NaN, Infinity, { a: undefined }, undefined];
    for (const element of rejected) {
      const error = await failure(dispatcher, { kind: 'request', id: 1, method: 'set/add', params: { object: set, element } });
      assert.equal(error.kind, 'invalid');
      assert.match(error.message, /element must be a JSON value/);
    }
    const accepted = [{ nested: [1, 'two', null, true] }, 'plain', 0];
    for (const element of accepted) {
      const response = await dispatcher.dispatch({ kind: 'request', id: 2, method: 'set/add', params: { object: set, element } });
      assert.equal(response?.ok, true);
    }
    assert.deepEqual(calls, accepted);
  });

  it('answers unknown requests, and reports malformed messages and unknown notifications without answering', async () => {
    const invalid: string[] = [];
    const { dispatcher } = hostDispatcher(invalid);
    const unknown = await failure(dispatcher, { kind: 'request', id: 9, method: 'node/shutdown', params: {} });
    assert.deepEqual(unknown, { kind: 'invalid', message: 'unknown request "node/shutdown"' });
    for (const message of [
      null,
      'ready',
      42,
      { kind: 'request', method: 'flag/set' },
      { kind: 'request', id: -1, method: 'flag/set', params: {} },
      { kind: 'bogus' },
    ]) {
      assert.equal(await dispatcher.dispatch(message), undefined);
    }
    assert.equal(await dispatcher.dispatch({ kind: 'notification', method: 'panel/nonsense', params: {} }), undefined);
    assert.equal(invalid.length, 7);
    assert.match(invalid[6], /unknown notification "panel\/nonsense"/);
  });

  it('turns a handler failure into an error response of the matching kind', async () => {
    const { dispatcher } = hostDispatcher();
    assert.deepEqual(await failure(dispatcher, requestMessage(AddElementRequest, 1, { object: set, element: 'removed' })), {
      kind: 'rejected',
      message: 'set_2p: "removed" was removed and can never be added again',
    });
    assert.deepEqual(await failure(dispatcher, requestMessage(AddElementRequest, 2, { object: set, element: 'boom' })), {
      kind: 'internal',
      message: 'disk on fire',
    });
  });

  it('gives the webview typed requests that resolve or reject with the host answer, and typed notifications', async () => {
    const { dispatcher } = hostDispatcher();
    const sent: ProtocolMessage[] = [];
    const client = new HostClient(
      (m) => sent.push(m),
      () => undefined,
    );
    const deltas: unknown[] = [];
    client.onNotification(DeltaNotification, (delta) => deltas.push(delta));

    const ok = client.request(SetFlagRequest, { object: flag, enabled: false });
    const refused = client.request(AddElementRequest, { object: set, element: 'removed' });
    assert.deepEqual(
      sent.map((m) => m.kind === 'request' && m.id),
      [1, 2],
    );
    // Answer out of order: responses are matched by id.
    client.receive(await dispatcher.dispatch(sent[1]));
    client.receive(await dispatcher.dispatch(sent[0]));
    assert.deepEqual(await ok, { clock: { a: 1 } });
    await assert.rejects(
      refused,
      (error: unknown) => error instanceof RequestFailedError && error.kind === 'rejected' && /never be added again/.test(error.message),
    );

    client.receive({ kind: 'notification', method: 'state/delta', params: { clock: { a: 5 } } });
    client.receive({ kind: 'response', id: 99, ok: true, result: null });
    await Promise.resolve();
    assert.deepEqual(deltas, [{ clock: { a: 5 } }]);
  });
});
