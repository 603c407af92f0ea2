import { MinidoteError, errorMessage } from '../core/errors';
import { Json } from '../core/json';
import { ReadResult } from '../core/replica';
import { ObjectKey, Update } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { Connection, Log } from './connection';
import { ClientRequest, ClientRequestType, ErrorBodyType } from './messages';

/** What the node offers to command-line and script clients. */
export interface ClientHandler {
  read(keys: ObjectKey[], clock?: VectorClock, timeoutMs?: number): Promise<ReadResult>;
  update(updates: Update[], clock?: VectorClock, timeoutMs?: number): Promise<VectorClock>;
  status(): Json;
}

function toErrorBody(error: unknown): ErrorBodyType {
  if (error instanceof MinidoteError) return { kind: error.kind, message: error.message };
  return { kind: 'storage', message: errorMessage(error) };
}

/** Serves one client connection: each request answered with a result carrying its id. */
export function serveClient(conn: Connection, handler: ClientHandler, log: Log): void {
  conn.listen(ClientRequest, (request) => {
    answer(request).then(
      (body) => conn.send({ t: 'result', id: request.id, ok: true, body }),
      (error: unknown) => {
        if (!(error instanceof MinidoteError)) log('error', `${conn.label}: ${request.t} failed: ${errorMessage(error)}`);
        conn.send({ t: 'result', id: request.id, ok: false, error: toErrorBody(error) });
      },
    );
  });

  async function answer(request: ClientRequestType): Promise<Json> {
    switch (request.t) {
      case 'read': {
        const result = await handler.read(request.keys, request.clock, request.timeoutMs);
        return { values: result.values, clock: result.clock };
      }
      case 'update':
        return { clock: await handler.update(request.updates, request.clock, request.timeoutMs) };
      case 'status':
        return handler.status();
    }
  }
}
