import type { Heads } from '@automerge/automerge';
import type { BinaryDocumentId, DocHandle, NetworkAdapterInterface, Repo } from '@automerge/automerge-repo';
import type { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BenchOp } from '../ops';
import { BenchStore, ProgressClock } from '../store';
import { BenchValues } from '../values';
import { AutomergeLib, loadAutomerge } from './automergeLib';
import { BenchDoc, DOCUMENT_BYTES, applyAutomergeOp, automergeValues, baseDocument } from './automergeModel';

/**
 * The WebSocket adapters are automerge-repo network adapters; their type declarations name them
 * through '@automerge/automerge-repo/slim', a subpath this project's module resolution (node10)
 * does not read, so TypeScript cannot see that by itself.
 */
function asAdapter(adapter: object): NetworkAdapterInterface {
  return adapter as NetworkAdapterInterface;
}

/**
 * An Automerge replica as automerge-repo runs one: a `Repo` holding the shared document, its
 * NodeFS storage adapter (when given a directory) and its WebSocket adapters — the server adapter
 * when listening, a client adapter per peer. The repo syncs the document with every peer and
 * relays what it receives, as a sync server does. It saves to storage in the background, at most
 * once per 100 ms, without fsync; it also sends sync messages at most once per 100 ms per document
 * (automerge-repo's DocSynchronizer, not configurable).
 */
export class AutomergePeer implements BenchStore {
  readonly id: string;
  /**
   * Actor → highest change sequence delivered here, brought up to date from the changes since
   * `seenHeads` when asked (so that a replica nobody watches pays nothing for it).
   */
  private readonly clock: ProgressClock = {};
  private seenHeads: Heads = [];
  private readonly listeners = new Set<() => void>();
  private readonly clients = new Map<string, WebSocketClientAdapter>();
  private server: WebSocketServer | undefined;

  private constructor(
    private readonly lib: AutomergeLib,
    readonly repo: Repo,
    readonly handle: DocHandle<BenchDoc>,
  ) {
    this.id = lib.A.getActorId(handle.doc());
    handle.on('change', () => {
      for (const listener of this.listeners) listener();
    });
  }

  /**
   * A repo holding the shared document, with NodeFS storage in `dataDir` if given. The document
   * starts as `initial` (a saved document), by default the base every replica shares.
   */
  static async open(dataDir: string | undefined, initial?: Uint8Array): Promise<AutomergePeer> {
    const lib = await loadAutomerge();
    const storage = dataDir === undefined ? undefined : new lib.nodefs.NodeFSStorageAdapter(dataDir);
    const repo = new lib.repo.Repo({ storage, network: [] });
    const handle = repo.import<BenchDoc>(initial ?? baseDocument(lib.A), {
      docId: lib.repo.interpretAsDocumentId(DOCUMENT_BYTES as BinaryDocumentId),
    });
    await handle.whenReady();
    return new AutomergePeer(lib, repo, handle);
  }

  private advance(): void {
    const doc = this.handle.doc();
    for (const change of this.lib.A.getChangesMetaSince(doc, this.seenHeads)) {
      this.clock[change.actor] = Math.max(this.clock[change.actor] ?? 0, change.seq);
    }
    this.seenHeads = this.lib.A.getHeads(doc);
  }

  async write(ops: readonly BenchOp[]): Promise<void> {
    const { A } = this.lib;
    for (const op of ops) this.handle.change((d: BenchDoc) => applyAutomergeOp(A, d, op));
  }

  progress(): ProgressClock {
    this.advance();
    return { ...this.clock };
  }

  covers(target: ProgressClock): boolean {
    // Each actor's changes form a chain, so a replica that covers `target` holds at least this
    // many changes: counting them is cheaper than reading the new changes after every delivery.
    let needed = 0;
    for (const seq of Object.values(target)) needed += seq;
    if (this.lib.A.stats(this.handle.doc()).numChanges < needed) return false;
    this.advance();
    for (const [actor, seq] of Object.entries(target)) if ((this.clock[actor] ?? 0) < seq) return false;
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  values(): BenchValues {
    return automergeValues(this.handle.doc());
  }

  async listen(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.server = server;
    this.repo.networkSubsystem.addNetworkAdapter(asAdapter(new this.lib.websocket.WebSocketServerAdapter(server)));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  connect(url: string): void {
    const client = new this.lib.websocket.WebSocketClientAdapter(url);
    this.clients.set(url, client);
    this.repo.networkSubsystem.addNetworkAdapter(asAdapter(client));
  }

  disconnect(url: string): void {
    const client = this.clients.get(url);
    if (!client) return;
    this.clients.delete(url);
    this.repo.networkSubsystem.removeNetworkAdapter(asAdapter(client));
  }

  /** Waits until everything changed so far is in storage. */
  flush(): Promise<void> {
    return this.repo.flush();
  }

  async close(): Promise<void> {
    await this.repo.shutdown();
    const server = this.server;
    if (server) {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
