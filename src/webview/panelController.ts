import { TYPE_NAMES, TypeName } from '../core/crdt/crdtType';
import { Json } from '../core/json';
import { ObjectKey, objectId } from '../core/transaction';
import { HostClient } from './hostClient';
import { PanelAction, emptyModel, hasChanges, reduce } from './model/panelModel';
import {
  AddElementRequest,
  AssignRegisterRequest,
  COUNTER_TYPES,
  ChangeCounterRequest,
  DeltaNotification,
  FLAG_TYPES,
  HistoryRequest,
  InspectRequest,
  REGISTER_TYPES,
  ReadyRequest,
  RemoveElementRequest,
  ResetNotification,
  SET_TYPES,
  SetFlagRequest,
  ValueAsOfRequest,
} from './protocol';
import { ProtocolMessage } from './rpc';
import { PanelActions, errorText } from './view/actions';
import { PanelApp } from './view/app';
import { StateKeeper, UiStore } from './view/uiStore';

/** The part of `acquireVsCodeApi()` the panel uses. */
export interface WebviewApi extends StateKeeper {
  postMessage(message: ProtocolMessage): void;
}

const TIME_REFRESH_MS = 5_000;

/**
 * An object's identity for a request that accepts only some types. Only the identity is sent: the
 * value (possibly 10,000 elements) stays here.
 */
function keyIn<const T extends readonly TypeName[]>(object: ObjectKey, types: T): ObjectKey & { readonly type: T[number] } {
  if (!(types as readonly string[]).includes(object.type)) {
    throw new Error(`${object.type} does not support this action (expected ${types.join(' or ')})`);
  }
  return { bucket: object.bucket, key: object.key, type: object.type as T[number] };
}

/**
 * Wires the webview: messages from the host are queued and applied once per animation frame, so a
 * burst of notifications costs one redraw; controls turn into typed requests.
 */
export function startPanel(root: HTMLElement, api: WebviewApi): void {
  const model = emptyModel();
  const ui = new UiStore(api);
  const client = new HostClient(
    (message) => api.postMessage(message),
    (reason) => console.warn(`[minidote panel] ${reason}`),
  );
  const queue: PanelAction[] = [];
  let frame = 0;
  const enqueue = (action: PanelAction) => {
    queue.push(action);
    if (!frame) frame = requestAnimationFrame(flush);
  };

  const actions: PanelActions = {
    setFlag: async (object, enabled) => {
      await client.request(SetFlagRequest, { object: keyIn(object, FLAG_TYPES), enabled });
    },
    addElement: async (object, element: Json) => {
      await client.request(AddElementRequest, { object: keyIn(object, SET_TYPES), element });
    },
    removeElement: async (object, element: Json) => {
      await client.request(RemoveElementRequest, { object: keyIn(object, SET_TYPES), element });
    },
    changeCounter: async (object, op, amount) => {
      await client.request(ChangeCounterRequest, { object: keyIn(object, COUNTER_TYPES), op, amount });
    },
    assign: async (object, value: Json) => {
      await client.request(AssignRegisterRequest, { object: keyIn(object, REGISTER_TYPES), value });
    },
    history: (object) => client.request(HistoryRequest, { object: keyIn(object, TYPE_NAMES) }),
    valueAsOf: (object, origin, seq) => client.request(ValueAsOfRequest, { object: keyIn(object, TYPE_NAMES), origin, seq }),
    inspect: (object, watch) => {
      client.request(InspectRequest, { object: keyIn(object, TYPE_NAMES), watch }).then(
        ({ internal }) => enqueue({ kind: 'internal', id: objectId(object), internal }),
        (error: unknown) => console.warn(`[minidote panel] could not inspect ${object.bucket}/${object.key}: ${errorText(error)}`),
      );
    },
  };

  const app = new PanelApp(root, model, actions, ui);
  function flush(): void {
    frame = 0;
    const changes = reduce(model, queue.splice(0));
    if (hasChanges(changes)) app.render(changes);
  }

  client.onNotification(DeltaNotification, (delta) => enqueue({ kind: 'delta', delta }));
  client.onNotification(ResetNotification, (snapshot) => enqueue({ kind: 'reset', snapshot }));
  window.addEventListener('message', (event: MessageEvent<unknown>) => client.receive(event.data));
  setInterval(() => app.refreshTimes(), TIME_REFRESH_MS);

  client.request(ReadyRequest, {}).then(
    (snapshot) => enqueue({ kind: 'reset', snapshot }),
    (error: unknown) => app.showFailure(errorText(error)),
  );
}
