import { setMaxListeners } from 'node:events';
import { MinidoteError, UnavailableError, errorMessage } from '../core/errors';
import { Json } from '../core/json';
import { ReadResult } from '../core/replica';
import { ObjectKey, Update } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { Connection, Log } from './connection';
import { ClientRequest, ClientRequestType, ErrorBodyType } from './messages';

/**
 * What the node offers to command-line and script clients. `signal` is aborted when the client's
 * connection closes: a clock wait parked for it should then end instead of outliving it.
 */
export interface ClientHandler {
  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<ReadResult>;
  update(updates: Update[], clock?: VectorClock, timeoutMs?: number, signal?: AbortSignal): Promise<VectorClock>;
  status(): Json;
}

/** Requests one client connection may have in progress at once; more are answered with an error. */
export const MAX_OUTSTANDING_REQUESTS = 64;
/** The longest clock wait a client may ask for; longer requests wait this long. */
export const MAX_CLIENT_TIMEOUT_MS = 60_000;

export interface ClientSessionLimits {
  readonly maxOutstanding: number;
  readonly maxTimeoutMs: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientSessionLimits = {
  maxOutstanding: MAX_OUTSTANDING_REQUESTS,
  maxTimeoutMs: MAX_CLIENT_TIMEOUT_MS,
};

export function toErrorBody(error: unknown): ErrorBodyType {
  if (error instanceof MinidoteError) return { kind: error.kind, message: error.message };
  return { kind: 'storage', message: errorMessage(error) };
}

/** Serves one client connection: each request answered with a result carrying its id. */
export function serveClient(conn: Connection, handler: ClientHandler, log: Log, limits: Partial<ClientSessionLimits> = {}): void {
  const { maxOutstanding, maxTimeoutMs } = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  const closed = new AbortController();
  // Every request in progress may listen on it: the cap on requests bounds the listeners too.
  setMaxListeners(maxOutstanding + 1, closed.signal);
  conn.onClose((reason) => closed.abort(new UnavailableError(`client disconnected: ${reason}`)));
  let outstanding = 0;

  conn.listen(ClientRequest, (request) => {
    if (outstanding >= maxOutstanding) {
      const error = new UnavailableError(`too many requests in progress on this connection (at most ${maxOutstanding})`);
      conn.send({ t: 'result', id: request.id, ok: false, error: toErrorBody(error) });
      return;
    }
    outstanding++;
    answer(request)
      .then(
        (body) => conn.send({ t: 'result', id: request.id, ok: true, body }),
        (error: unknown) => {
          if (!(error instanceof MinidoteError)) log('error', `${conn.label}: ${request.t} failed: ${errorMessage(error)}`);
          conn.send({ t: 'result', id: request.id, ok: false, error: toErrorBody(error) });
        },
      )
      .finally(() => outstanding--);
  });

  const bounded = (timeoutMs: number | undefined) => (timeoutMs === undefined ? undefined : Math.min(timeoutMs, maxTimeoutMs));

  async function answer(request: ClientRequestType): Promise<Json> {
    switch (request.t) {
      case 'read': {
        const result = await handler.read(request.keys, request.clock, bounded(request.timeoutMs), closed.signal);
        return { values: result.values, clock: result.clock };
      }
      case 'update':
        return { clock: await handler.update(request.updates, request.clock, bounded(request.timeoutMs), closed.signal) };
      case 'status':
        return handler.status();
    }
  }
}
