import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { encodeSnapshot } from '../../core/codec/snapshotCoding';
import { Disposable } from '../../core/emitter';
import { UnavailableError, errorMessage } from '../../core/errors';
import { newNonce, proof, verifyProof } from '../../net/auth';
import { MAX_CLIENT_TIMEOUT_MS, MAX_OUTSTANDING_REQUESTS, toErrorBody } from '../../net/clientSession';
import { Log } from '../../net/connection';
import { FramedSocket, encodeFrame, listenLocal, localSocketPath } from '../../net/localSocket';
import { MinidoteNode } from '../minidoteNode';
import { newestLogged } from '../objectHistory';
import { MAX_LISTED, MAX_LOGGED_TRANSACTIONS, OwnerStatus, WindowCallType, WindowMessage, readMessage } from './windowProtocol';

/** The file in the data directory holding the key that windows prove they know. */
export const TOKEN_FILE = 'window.token';
/** Windows attached at once; more are refused. */
const MAX_WINDOWS = 32;
const HANDSHAKE_TIMEOUT_MS = 5_000;
/** Status goes to windows at most this often: every delivered transaction changes the storage figures. */
const STATUS_EVERY_MS = 200;
/** Requests are small (an update is at most MAX_UPDATE_BYTES of values); the owner's state may be large. */
const FROM_WINDOW = { maxFrameBytes: 8 * 1024 * 1024, maxPendingBytes: 512 * 1024 * 1024 };

/** What the owner serves: the node, through the methods it offers every caller. */
export type ServedNode = Pick<
  MinidoteNode,
  | 'id'
  | 'displayName'
  | 'exportState'
  | 'logged'
  | 'recentTransactions'
  | 'status'
  | 'onDidChange'
  | 'onPeersChanged'
  | 'update'
  | 'connectPeer'
  | 'disconnectPeer'
  | 'listen'
  | 'stopListening'
  | 'replicas'
>;

/**
 * The owner's side of windows sharing a replica: the window that holds a data directory's lock
 * serves its node to other windows on the same directory over a local socket (only for processes
 * that can read the token file, i.e. the same user), so that every window works, not only the first.
 */
export class WindowServer {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
    private readonly windows: Set<FramedSocket>,
    private readonly ready: ReadyWindows,
  ) {}

  static async start(node: ServedNode, dataDir: string, log: Log): Promise<WindowServer> {
    const token = randomBytes(32).toString('hex');
    const tokenPath = join(dataDir, TOKEN_FILE);
    await writeFile(tokenPath, token, { mode: 0o600 });
    await chmod(tokenPath, 0o600);
    const path = localSocketPath(dataDir);
    const windows = new Set<FramedSocket>();
    const ready = new ReadyWindows(node);
    try {
      const server = await listenLocal(path, (socket) => accept(windows, socket, { node, token, log, ready }));
      return new WindowServer(server, path, windows, ready);
    } catch (error) {
      ready.dispose();
      throw error;
    }
  }

  get socketPath(): string {
    return this.path;
  }

  /** How many windows are attached now. */
  get attached(): number {
    return this.windows.size;
  }

  async close(): Promise<void> {
    this.ready.dispose();
    for (const window of this.windows) window.close('the window that holds the replica is closing');
    this.windows.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The windows past the handshake. The server listens to the node once, and each delivered change
 * and each status is encoded once for all of them.
 */
class ReadyWindows {
  private readonly windows = new Set<FramedSocket>();
  private readonly subscriptions: Disposable[];
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(private readonly node: ServedNode) {
    this.subscriptions = [
      node.onDidChange((change) => {
        if (this.windows.size === 0) return;
        this.send(change.kind === 'transaction' ? { t: 'change', transaction: change.transaction } : stateMessage(node));
        this.scheduleStatus();
      }),
      node.onPeersChanged(() => this.scheduleStatus()),
    ];
  }

  /** A window that proved the token: it gets the whole state now, then every change. */
  add(window: FramedSocket): void {
    window.send(stateMessage(this.node));
    this.windows.add(window);
    window.onClose(() => this.windows.delete(window));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    clearTimeout(this.statusTimer);
  }

  private send(message: object): void {
    const frame = encodeFrame(message);
    for (const window of this.windows) window.sendFrame(frame);
  }

  private scheduleStatus(): void {
    if (this.windows.size === 0) return;
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      this.send({ t: 'status', status: ownerStatus(this.node) });
    }, STATUS_EVERY_MS);
  }
}

/** What serving one window needs. */
interface Serving {
  readonly node: ServedNode;
  readonly token: string;
  readonly log: Log;
  readonly ready: ReadyWindows;
}

function accept(windows: Set<FramedSocket>, socket: Socket, serving: Serving): void {
  const link = new FramedSocket(socket, FROM_WINDOW);
  if (windows.size >= MAX_WINDOWS) {
    link.close(`already ${MAX_WINDOWS} windows attached`);
    return;
  }
  windows.add(link);
  link.onClose((reason) => {
    windows.delete(link);
    serving.log('info', `a window detached: ${reason}`);
  });
  serveWindow(link, serving);
}

function serveWindow(link: FramedSocket, { node, token, log, ready: readyWindows }: Serving): void {
  const ownNonce = newNonce();
  let theirNonce: string | undefined;
  let ready = false;
  const closed = new AbortController();
  setMaxListeners(MAX_OUTSTANDING_REQUESTS + 1, closed.signal);
  let outstanding = 0;
  const handshake = setTimeout(() => link.close('no handshake in time'), HANDSHAKE_TIMEOUT_MS);

  link.onClose((reason) => {
    clearTimeout(handshake);
    closed.abort(new UnavailableError(`the window disconnected: ${reason}`));
  });

  link.setHandler((frame) => {
    const parsed = readMessage(WindowMessage, frame);
    if (!parsed.ok) {
      link.close(parsed.reason);
      return;
    }
    const message = parsed.value;
    if (message.t === 'hello' && theirNonce === undefined) {
      theirNonce = message.nonce;
      link.send({ t: 'challenge', nonce: ownNonce, proof: proof(token, 'listener', ownNonce, theirNonce) });
    } else if (message.t === 'proof' && theirNonce !== undefined && !ready) {
      if (!verifyProof(token, 'connector', ownNonce, theirNonce, message.proof)) {
        link.close('the window does not know the token');
        return;
      }
      clearTimeout(handshake);
      ready = true;
      readyWindows.add(link);
    } else if (message.t === 'request' && ready) {
      if (outstanding >= MAX_OUTSTANDING_REQUESTS) {
        const error = new UnavailableError(`too many requests in progress (at most ${MAX_OUTSTANDING_REQUESTS})`);
        link.send({ t: 'result', id: message.id, ok: false, error: toErrorBody(error) });
        return;
      }
      outstanding++;
      answer(node, message.request, closed.signal)
        .then(
          (body) => link.send({ t: 'result', id: message.id, ok: true, ...(body === undefined ? {} : { body }) }),
          (error: unknown) => {
            log('info', `a window's ${message.request.call} failed: ${errorMessage(error)}`);
            link.send({ t: 'result', id: message.id, ok: false, error: toErrorBody(error) });
          },
        )
        .finally(() => outstanding--);
    } else {
      link.close(`unexpected ${message.t} message`);
    }
  });
}

async function answer(node: ServedNode, request: WindowCallType, signal: AbortSignal): Promise<object | undefined> {
  switch (request.call) {
    case 'update': {
      const timeoutMs = Math.min(request.timeoutMs ?? MAX_CLIENT_TIMEOUT_MS, MAX_CLIENT_TIMEOUT_MS);
      return { clock: await node.update(request.updates, request.clock, timeoutMs, signal) };
    }
    case 'connectPeer':
      node.connectPeer(request.url);
      return undefined;
    case 'disconnectPeer':
      node.disconnectPeer(request.url);
      return undefined;
    case 'listen':
      await node.stopListening();
      return { url: await node.listen(request.host, request.port) };
    case 'stopListening':
      await node.stopListening();
      return undefined;
  }
}

function ownerStatus(node: ServedNode): OwnerStatus {
  const { listening, peers, waiting, storage, conflicts } = node.status();
  return {
    listening,
    peers,
    waiting: waiting.slice(0, MAX_LISTED),
    storage,
    conflicts: conflicts.slice(-MAX_LISTED),
    replicas: node.replicas(),
  } as OwnerStatus;
}

function stateMessage(node: ServedNode): object {
  const logged = newestLogged(node.logged(), MAX_LOGGED_TRANSACTIONS);
  return {
    t: 'state',
    id: node.id,
    displayName: node.displayName,
    snapshot: Buffer.from(encodeSnapshot(node.exportState())).toString('base64'),
    logged,
    recent: node.recentTransactions(),
    status: ownerStatus(node),
  };
}
