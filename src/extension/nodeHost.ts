import { Disposable, Emitter } from '../core/emitter';
import { UnavailableError, errorMessage } from '../core/errors';
import { ReplicaChange } from '../core/replica';
import { ClientTls, readCaFile } from '../net/tls';
import { MinidoteNode, NodeOptions } from '../node/minidoteNode';
import { ReplicaNode } from '../node/replicaNode';
import { AttachedNode } from '../node/windowLink/attachedNode';
import { WindowServer } from '../node/windowLink/windowServer';
import { StorageLockedError, parseFsyncPolicy } from '../storage';
import { MinidoteSettings } from './settings';
import { HostPhase } from './statusText';
import { t } from './localize';

/** What the replica is opened with: the settings plus the team secret (from secret storage). */
export interface HostConfig {
  readonly settings: MinidoteSettings;
  readonly secret: string | undefined;
}

export interface NodeHostOptions {
  readonly dataDir: string;
  /** A problem the user should see (a notification in VS Code). */
  readonly report: (message: string) => void;
  readonly log?: NodeOptions['log'];
  /** The name used when the displayName setting is empty. */
  readonly defaultDisplayName?: string;
}

/** How often a window whose replica another window holds tries to take it over. */
const LOCK_RETRY_MS = 3000;
/** Attempts to attach to the window holding the replica before saying it cannot be used here. */
const ATTACH_ATTEMPTS = 3;
const ATTACH_RETRY_MS = 400;

interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Runs the extension's Minidote node: opens it in the background, applies settings as they change
 * (live where the node allows it, by reopening the same storage where it does not), and keeps the
 * peer and listen changes made by commands across reopens. Operations run one at a time, in order.
 * Knows nothing of VS Code, so it is tested in plain Node.
 */
export class NodeHost {
  private current: ReplicaNode | undefined;
  /** Set while this window holds the replica: other windows on the same storage attach through it. */
  private windowServer: WindowServer | undefined;
  private config: HostConfig | undefined;
  private currentPhase: HostPhase = 'starting';
  private failure: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nodeSubscriptions: Disposable[] = [];
  /** Peers connected or disconnected by command, on top of the peers setting. */
  private readonly addedPeers = new Set<string>();
  private readonly removedPeers = new Set<string>();
  /** Set by the listen commands; cleared when the listen settings change. */
  private listenOverride: ListenAddress | undefined;
  /** Addresses already reported as taken, so a reopen or another settings change does not report them again. */
  private readonly reportedConflicts = new Set<string>();
  private listenFailure: string | undefined;
  /** Set while another window holds this storage: the next attempt to open it. */
  private lockRetry: NodeJS.Timeout | undefined;
  private readonly changeEmitter = new Emitter<ReplicaChange>();
  private readonly peersEmitter = new Emitter<void>();
  private readonly phaseEmitter = new Emitter<HostPhase>();
  private readonly openEmitter = new Emitter<ReplicaNode>();

  constructor(private readonly options: NodeHostOptions) {}

  get phase(): HostPhase {
    return this.currentPhase;
  }

  /** Where the replica keeps its data. */
  get dataDir(): string {
    return this.options.dataDir;
  }

  /** Why the replica could not be opened, while the phase is 'failed'. */
  get error(): string | undefined {
    return this.failure;
  }

  /** The running node, or undefined while starting, after a failure or once closed. */
  get node(): ReplicaNode | undefined {
    return this.current;
  }

  /** True while this window uses the replica another window holds (docs/architecture.md, "Windows sharing a replica"). */
  get attached(): boolean {
    return this.current instanceof AttachedNode;
  }

  /** Every delivered transaction or snapshot, across reopens of the node. */
  onDidChange(listener: (change: ReplicaChange) => void): Disposable {
    return this.changeEmitter.on(this.guarded(listener));
  }

  onPeersChanged(listener: () => void): Disposable {
    return this.peersEmitter.on(this.guarded(listener));
  }

  onPhaseChanged(listener: (phase: HostPhase) => void): Disposable {
    return this.phaseEmitter.on(this.guarded(listener));
  }

  /**
   * Each node as it opens: the first one, and every reopen after a settings change (which closes
   * the previous node, so whatever holds a node must take the new one).
   */
  onDidOpenNode(listener: (node: ReplicaNode) => void): Disposable {
    return this.openEmitter.on(this.guarded(listener));
  }

  /** Opens the node in the background (once `config` resolves); `whenReady` waits for it. */
  start(config: HostConfig | Promise<HostConfig>): void {
    void this.enqueue(async () => {
      try {
        this.config = await config;
      } catch (error) {
        this.fail(errorMessage(error));
        return;
      }
      return this.open();
    });
  }

  /** Applies new settings or a new secret; reopens the node only for what it cannot change live. */
  configure(next: HostConfig): Promise<void> {
    return this.enqueue(async () => {
      const before = this.config;
      this.config = next;
      const node = this.current;
      if (!before || !node) return this.open();
      // The window that holds the replica applies the same user settings and secret itself.
      if (this.attached) return;
      const a = before.settings;
      const b = next.settings;
      if (a.fsync !== b.fsync || a.displayName !== b.displayName || a.tlsCaFile !== b.tlsCaFile) {
        await this.closeNode();
        return this.open();
      }
      // The secret first: listening beyond loopback needs it.
      if (before.secret !== next.secret) await this.applySecret(node, next.secret);
      if (a.listenHost !== b.listenHost || a.listenPort !== b.listenPort) {
        this.listenOverride = undefined;
        await this.applyListen(node);
      }
      if (!sameList(a.peers, b.peers)) {
        this.removedPeers.clear(); // an edited list says again which peers are wanted
        node.setPeers(this.effectivePeers());
      }
    });
  }

  /** Why the replica does not listen where the settings or a command asked it to, if it does not. */
  get listenProblem(): string | undefined {
    return this.listenFailure;
  }

  /** Where the running replica listens, if it does (undefined while it is not running). */
  listenUrl(): string | undefined {
    return this.current?.listenUrl;
  }

  /**
   * Another window removed the secret while this replica listens beyond loopback: it stops
   * listening rather than stay open to the network without authentication.
   */
  private async applySecret(node: ReplicaNode, secret: string | undefined): Promise<void> {
    try {
      node.setSecret(secret);
    } catch (error) {
      await node.stopListening();
      node.setSecret(secret);
      this.options.log?.('warn', t('stopped listening: the team secret was removed ({0})', errorMessage(error)));
    }
  }

  /** Resolves with the running node, after whatever is queued; rejects with the reason when there is none. */
  whenReady(): Promise<ReplicaNode> {
    return this.withNode((node) => node);
  }

  connectPeer(url: string): Promise<void> {
    return this.withNode((node) => {
      node.connectPeer(url);
      this.addedPeers.add(url);
      this.removedPeers.delete(url);
    });
  }

  disconnectPeer(url: string): Promise<void> {
    return this.withNode((node) => {
      node.disconnectPeer(url);
      this.addedPeers.delete(url);
      if (this.config?.settings.peers.includes(url)) this.removedPeers.add(url);
    });
  }

  /** Listens on `host:port` (port 0 = any free port) until the listen settings change. */
  listen(host: string, port: number): Promise<string> {
    return this.withNode(async (node) => {
      await node.stopListening();
      const url = await node.listen(host, port);
      this.listenOverride = { host, port };
      return url;
    });
  }

  stopListening(): Promise<void> {
    return this.withNode(async (node) => {
      await node.stopListening();
      this.listenOverride = { host: this.config?.settings.listenHost ?? '127.0.0.1', port: 0 };
    });
  }

  /** Closes links and flushes storage; the host stays closed. */
  close(): Promise<void> {
    clearTimeout(this.lockRetry);
    this.lockRetry = undefined;
    return this.enqueue(async () => {
      await this.closeNode();
      this.setPhase('closed');
    });
  }

  /** Runs `action` on the node after whatever is queued; rejects with the reason when there is none. */
  private withNode<T>(action: (node: ReplicaNode) => T | Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      if (this.current) return action(this.current);
      const reason = this.currentPhase === 'closed' ? t('it is closed') : (this.failure ?? t('it is still opening'));
      throw new UnavailableError(t('the Minidote replica is not running: {0}', reason));
    });
  }

  /**
   * Listeners run inside the replica's delivery of a transaction: a view that throws must not
   * break replication (or the other listeners), so its error is logged instead.
   */
  private guarded<T>(listener: (event: T) => void): (event: T) => void {
    return (event) => {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.('error', t('a change listener failed: {0}', errorMessage(error)));
      }
    };
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.catch(() => undefined).then(work);
    this.queue = result;
    return result;
  }

  private effectivePeers(): string[] {
    const configured = (this.config?.settings.peers ?? []).filter((url) => !this.removedPeers.has(url));
    return [...new Set([...configured, ...this.addedPeers])];
  }

  /** An unusable CA file is reported, and the replica opens anyway: its wss:// peers then say why they fail. */
  private peerTls(settings: MinidoteSettings): ClientTls | undefined {
    if (settings.tlsCaFile === undefined) return undefined;
    try {
      return readCaFile(settings.tlsCaFile);
    } catch (error) {
      this.options.report(`minidote.tls.caFile: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async open(): Promise<void> {
    const config = this.config;
    if (!config || this.currentPhase === 'closed') return;
    this.setPhase('starting');
    const { settings } = config;
    let node: MinidoteNode;
    try {
      node = await MinidoteNode.open({
        dataDir: this.options.dataDir,
        displayName: settings.displayName || this.options.defaultDisplayName,
        fsync: settings.fsync === undefined ? undefined : parseFsyncPolicy(settings.fsync),
        peers: this.effectivePeers(),
        secret: config.secret,
        peerTls: this.peerTls(settings),
        log: this.options.log,
      });
    } catch (error) {
      if (error instanceof StorageLockedError) await this.attachToOwner();
      else this.fail(errorMessage(error));
      return;
    }
    try {
      this.windowServer = await WindowServer.start(node, this.options.dataDir, this.options.log ?? (() => undefined));
    } catch (error) {
      this.options.log?.('warn', t('other windows cannot use this replica: {0}', errorMessage(error)));
    }
    this.running(node);
    await this.applyListen(node);
  }

  /** Another window holds the storage: this one uses that window's replica, and opens it itself once that window goes. */
  private async attachToOwner(): Promise<void> {
    let attached: AttachedNode | undefined;
    // A window that has just taken the replica over starts serving other windows a moment later.
    for (let attempt = 1; !attached && attempt <= ATTACH_ATTEMPTS; attempt++) {
      try {
        attached = await AttachedNode.attach(this.options.dataDir, { log: this.options.log });
      } catch (error) {
        this.options.log?.('info', t('could not attach to the window holding the replica: {0}', errorMessage(error)));
        if (attempt < ATTACH_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, ATTACH_RETRY_MS));
      }
    }
    if (!attached) {
      this.failLocked();
      return;
    }
    const owner = attached;
    owner.onDetached((reason) => {
      this.options.log?.('info', t('the window holding the replica went away ({0}): taking it over', reason));
      void this.enqueue(async () => {
        if (this.current !== owner) return;
        // The peers the other window had joined stay joined: teammates should not notice the handover.
        for (const peer of owner.status().peers) if (peer.direction === 'outbound' && peer.url !== null) this.addedPeers.add(peer.url);
        await this.closeNode();
        await this.open();
      });
    });
    this.running(owner);
  }

  private running(node: ReplicaNode): void {
    this.current = node;
    this.failure = undefined;
    this.nodeSubscriptions = [
      node.onDidChange((change) => this.changeEmitter.emit(change)),
      node.onPeersChanged(() => this.peersEmitter.emit()),
    ];
    this.openEmitter.emit(node);
    this.setPhase('running');
  }

  private async applyListen(node: ReplicaNode): Promise<void> {
    const settings = this.config?.settings;
    const target = this.listenOverride ?? (settings && { host: settings.listenHost, port: settings.listenPort });
    this.listenFailure = undefined;
    try {
      await node.stopListening();
      if (target && target.port !== 0) await node.listen(target.host, target.port);
    } catch (error) {
      this.reportListenFailure(target, errorMessage(error));
    }
    this.peersEmitter.emit();
  }

  /**
   * A port taken by another window of the same user (a listen.port in the user settings applies
   * to every window) is said once, as such: this window keeps its replica, just without listening.
   */
  private reportListenFailure(target: ListenAddress | undefined, reason: string): void {
    const address = `${String(target?.host)}:${String(target?.port)}`;
    if (!isAddressInUse(reason)) {
      this.listenFailure = reason;
      this.options.report(t('Minidote could not listen on {0}: {1}', address, reason));
      return;
    }
    this.listenFailure = t('port {0} is already in use', String(target?.port));
    if (this.reportedConflicts.has(address)) {
      this.options.log?.('info', t('not listening on {0}: the port is still in use', address));
      return;
    }
    this.reportedConflicts.add(address);
    this.options.report(
      t(
        'Minidote could not listen on {0}: the port is already in use, most likely by Minidote in another VS Code window. This window keeps working without listening: teammates reach the window that listens, or give this one another port (minidote.listen.port in the folder settings).',
        address,
      ),
    );
  }

  private async closeNode(): Promise<void> {
    const node = this.current;
    if (!node) return;
    this.current = undefined;
    for (const s of this.nodeSubscriptions) s.dispose();
    this.nodeSubscriptions = [];
    const server = this.windowServer;
    this.windowServer = undefined;
    try {
      // The lock first: windows attached here take the replica over as soon as their link closes.
      await node.close();
    } catch (error) {
      this.options.report(t('Minidote could not close its replica cleanly: {0}', errorMessage(error)));
    } finally {
      await server?.close();
    }
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.setPhase('failed');
    this.options.report(t('Minidote could not open its replica in {0}: {1}', this.options.dataDir, reason));
  }

  /**
   * Two windows with no folder share one storage folder, and only one may open it. This one says
   * so once (not "remove the lock": the lock is right), and takes the replica over when the other
   * window closes.
   */
  private failLocked(): void {
    const alreadySaid = this.failure === openInAnotherWindow();
    this.failure = openInAnotherWindow();
    this.setPhase('failed');
    if (!alreadySaid) {
      this.options.report(
        t(
          "Minidote: this window's replica ({0}) is open in another VS Code window, which keeps it. Use Minidote in that window, or open a folder here to give this window a replica of its own. This window opens the replica by itself once the other window closes.",
          this.options.dataDir,
        ),
      );
    }
    clearTimeout(this.lockRetry);
    this.lockRetry = setTimeout(() => {
      this.lockRetry = undefined;
      void this.enqueue(async () => {
        if (!this.current && this.currentPhase === 'failed') await this.open();
      });
    }, LOCK_RETRY_MS);
    this.lockRetry.unref();
  }

  private setPhase(phase: HostPhase): void {
    if (phase === this.currentPhase) return;
    this.currentPhase = phase;
    this.phaseEmitter.emit(phase);
  }
}

/** Why a window has no replica while another window holds its storage. */
function openInAnotherWindow(): string {
  return t('this replica is open in another VS Code window');
}

/** The listener's error for an address another process holds (EADDRINUSE, in its message). */
function isAddressInUse(reason: string): boolean {
  return /EADDRINUSE|address already in use/i.test(reason);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
