import type * as AutomergeModule from '@automerge/automerge';
import type * as RepoModule from '@automerge/automerge-repo';
import type * as WebSocketModule from '@automerge/automerge-repo-network-websocket';
import type * as NodeFsModule from '@automerge/automerge-repo-storage-nodefs';

export type Automerge = typeof AutomergeModule;

export interface AutomergeLib {
  readonly A: Automerge;
  readonly repo: typeof RepoModule;
  readonly websocket: typeof WebSocketModule;
  readonly nodefs: typeof NodeFsModule;
}

let loading: Promise<AutomergeLib> | undefined;

/**
 * The Automerge packages, loaded as ES modules. They must be: required from this CommonJS code,
 * @automerge/automerge resolves to a CommonJS bundle with its own copy of the library, separate
 * from the copy automerge-repo uses, and automerge-repo's copy never gets its WebAssembly
 * ("Automerge.use() not called"). Imported, everything shares one initialised copy.
 */
export function loadAutomerge(): Promise<AutomergeLib> {
  loading ??= Promise.all([
    import('@automerge/automerge'),
    import('@automerge/automerge-repo'),
    import('@automerge/automerge-repo-network-websocket'),
    import('@automerge/automerge-repo-storage-nodefs'),
  ]).then(([A, repo, websocket, nodefs]) => ({ A, repo, websocket, nodefs }));
  return loading;
}
