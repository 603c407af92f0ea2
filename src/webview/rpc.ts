/**
 * A small typed RPC over `postMessage`, the same on both sides of a webview: every message is a
 * request (answered by exactly one response) or a notification, each type declared once with a
 * valibot schema for its parameters. `MessageDispatcher` validates and routes them. Messages from
 * the other side are untrusted input: a handler only ever sees parameters that passed their schema.
 * The replica panel's own messages are in protocol.ts.
 */
import * as v from 'valibot';
import { ErrorKind, MinidoteError } from '../core/errors';

// ─── Declaring messages ─────────────────────────────────────────────────────────────────────────

/** Carries a response type through a declaration without a value (a type-level marker). */
export interface Returns<R> {
  readonly __returns?: R;
}
export function returns<R>(): Returns<R> {
  return {};
}

export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly params: v.GenericSchema<unknown, P>;
  readonly response: Returns<R>;
}

export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly params: v.GenericSchema<unknown, P>;
}

export function request<P, R>(method: string, params: v.GenericSchema<unknown, P>, response: Returns<R>): RequestType<P, R> {
  return { kind: 'request', method, params, response };
}

export function notification<P>(method: string, params: v.GenericSchema<unknown, P>): NotificationType<P> {
  return { kind: 'notification', method, params };
}

/** Parameters from the trusted side (the extension host, for a webview): checked at compile time only. */
export function trusted<T>(): v.GenericSchema<unknown, T> {
  return v.custom<T>(() => true);
}

// ─── Envelopes ──────────────────────────────────────────────────────────────────────────────────

export interface RequestMessage {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface NotificationMessage {
  readonly kind: 'notification';
  readonly method: string;
  readonly params: unknown;
}

export type ResponseErrorKind = ErrorKind | 'internal';

export interface ResponseError {
  readonly kind: ResponseErrorKind;
  readonly message: string;
}

export type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: ResponseError };

export type ProtocolMessage = RequestMessage | NotificationMessage | ResponseMessage;

const RequestEnvelope = v.object({
  kind: v.literal('request'),
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.unknown(),
});

const NotificationEnvelope = v.object({
  kind: v.literal('notification'),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.unknown(),
});

const ResponseEnvelope = v.object({
  kind: v.literal('response'),
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  ok: v.boolean(),
  result: v.optional(v.unknown()),
  error: v.optional(v.object({ kind: v.string(), message: v.string() })),
});

export function requestMessage<P>(type: RequestType<P, unknown>, id: number, params: P): RequestMessage {
  return { kind: 'request', id, method: type.method, params };
}

export function notificationMessage<P>(type: NotificationType<P>, params: P): NotificationMessage {
  return { kind: 'notification', method: type.method, params };
}

export function isResponseMessage(message: unknown): message is ResponseMessage {
  return v.is(ResponseEnvelope, message);
}

/** A failed request as the requesting side sees it. */
export class RequestFailedError extends Error {
  constructor(
    readonly kind: ResponseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

// ─── The dispatcher ─────────────────────────────────────────────────────────────────────────────

type RequestHandler = (params: unknown) => unknown;
type NotificationHandler = (params: unknown) => void;

function describeIssues(method: string, issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  const parts = issues.map((issue) => {
    const path = issue.path?.map((p) => String(p.key)).join('.');
    return path ? `${path} ${issue.message}` : issue.message;
  });
  return `invalid parameters for ${method}: ${parts.join('; ')}`;
}

/**
 * Validates incoming messages and routes them to the handler registered for their type. A request
 * always gets exactly one response (an error response for anything malformed or failing); a bad
 * notification is reported through `onInvalid` and otherwise dropped.
 */
export class MessageDispatcher {
  private readonly requests = new Map<string, { type: RequestType<unknown, unknown>; handler: RequestHandler }>();
  private readonly notifications = new Map<string, { type: NotificationType<unknown>; handler: NotificationHandler }>();

  constructor(private readonly onInvalid: (reason: string) => void = () => undefined) {}

  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): this {
    this.requests.set(type.method, {
      type: type as RequestType<unknown, unknown>,
      handler: handler as RequestHandler,
    });
    return this;
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): this {
    this.notifications.set(type.method, {
      type: type as NotificationType<unknown>,
      handler: handler as NotificationHandler,
    });
    return this;
  }

  /** Handles one message; resolves with the response to send back when it was a request. */
  async dispatch(message: unknown): Promise<ResponseMessage | undefined> {
    const req = v.safeParse(RequestEnvelope, message);
    if (req.success) return this.answer(req.output);
    const note = v.safeParse(NotificationEnvelope, message);
    if (note.success) {
      this.notify(note.output);
      return undefined;
    }
    this.onInvalid(`dropped a malformed message: ${describeMessage(message)}`);
    return undefined;
  }

  private async answer(message: RequestMessage): Promise<ResponseMessage> {
    const fail = (kind: ResponseErrorKind, text: string): ResponseMessage => ({
      kind: 'response',
      id: message.id,
      ok: false,
      error: { kind, message: text },
    });
    const entry = this.requests.get(message.method);
    if (!entry) return fail('invalid', `unknown request "${message.method}"`);
    const params = v.safeParse(entry.type.params, message.params);
    if (!params.success) return fail('invalid', describeIssues(message.method, params.issues));
    try {
      const result = await entry.handler(params.output);
      return { kind: 'response', id: message.id, ok: true, result };
    } catch (error) {
      if (error instanceof MinidoteError) return fail(error.kind, error.message);
      return fail('internal', error instanceof Error ? error.message : String(error));
    }
  }

  private notify(message: NotificationMessage): void {
    const entry = this.notifications.get(message.method);
    if (!entry) {
      this.onInvalid(`dropped unknown notification "${message.method}"`);
      return;
    }
    const params = v.safeParse(entry.type.params, message.params);
    if (!params.success) {
      this.onInvalid(describeIssues(message.method, params.issues));
      return;
    }
    entry.handler(params.output);
  }
}

function describeMessage(message: unknown): string {
  if (message === null || typeof message !== 'object') return `a ${message === null ? 'null' : typeof message}`;
  const { kind, method } = message as { kind?: unknown; method?: unknown };
  const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x.slice(0, 64)) : typeof x);
  return `kind ${show(kind)}, method ${show(method)}`;
}
