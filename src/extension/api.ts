import * as vscode from 'vscode';
import { ReadResult, ReplicaChange } from '../core/replica';
import { ObjectKey, Update } from '../core/transaction';
import { VectorClock } from '../core/vectorClock';
import { NodeHost } from './nodeHost';

/**
 * What `activate` returns to other extensions:
 * `vscode.extensions.getExtension('minidote.minidote')?.activate()` resolves with it.
 * Calls made while the replica is still opening wait for it.
 */
export interface MinidoteApi {
  /** Current values of `keys`, and the replica's clock; with `clock`, first waits until it is delivered. */
  read(keys: readonly ObjectKey[], clock?: VectorClock): Promise<ReadResult>;
  /** Applies the batch atomically as one transaction; resolves with the commit clock. */
  update(updates: readonly Update[], clock?: VectorClock): Promise<VectorClock>;
  /** Every transaction delivered to this replica (local or remote), or a snapshot installed from a peer. */
  readonly onDidChange: vscode.Event<ReplicaChange>;
}

export function createApi(host: NodeHost): { api: MinidoteApi; disposable: vscode.Disposable } {
  const emitter = new vscode.EventEmitter<ReplicaChange>();
  const subscription = host.onDidChange((change) => emitter.fire(change));
  const api: MinidoteApi = {
    read: async (keys, clock) => (await host.whenReady()).read([...keys], clock),
    update: async (updates, clock) => (await host.whenReady()).update([...updates], clock),
    onDidChange: emitter.event,
  };
  return {
    api,
    disposable: new vscode.Disposable(() => {
      subscription.dispose();
      emitter.dispose();
    }),
  };
}
