import { isDeepStrictEqual } from 'node:util';
import { ObjectKey } from '../../src/core/transaction';
import { MinidoteNode, NodeOptions } from '../../src/node/minidoteNode';
import { tempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitFor';

/** Fast heartbeats and reconnects so fault tests heal in a second, not in production minutes. */
export const FAST = {
  timing: { heartbeatMs: 100, deadAfterMs: 1500 },
  backoff: { baseMs: 20, capMs: 300 },
} as const;

export interface TestNode {
  node: MinidoteNode;
  dir: string;
  url: string;
}

export class Cluster {
  readonly nodes: TestNode[] = [];
  private readonly dirs: { cleanup(): void }[] = [];

  /** Starts a node listening on 127.0.0.1:0 with a fresh (or given) data directory. */
  async start(id: string, options: Partial<NodeOptions> & { dir?: string } = {}): Promise<TestNode> {
    let dir = options.dir;
    if (dir === undefined) {
      const made = tempDir(`minidote-${id}-`);
      this.dirs.push(made);
      dir = made.path;
    }
    const node = await MinidoteNode.open({
      dataDir: dir,
      id,
      listen: { host: '127.0.0.1', port: 0 },
      fsync: 'never',
      log: process.env.MINIDOTE_TEST_LOG ? (level, message) => console.error(`[${id}] ${level} ${message}`) : undefined,
      ...FAST,
      ...options,
    });
    const entry = { node, dir, url: node.listenUrl as string };
    this.nodes.push(entry);
    return entry;
  }

  async stop(entry: TestNode): Promise<void> {
    await entry.node.close();
    this.nodes.splice(this.nodes.indexOf(entry), 1);
  }

  /** Waits until every running node has the same clock and the same values for `keys`. */
  async converged(keys: ObjectKey[], timeoutMs = 20_000, nodes: TestNode[] = this.nodes): Promise<void> {
    const snapshot = () => nodes.map(({ node }) => ({ clock: node.replica.clock, values: keys.map((k) => node.replica.value(k)) }));
    await waitUntil(() => snapshot().every((s) => isDeepStrictEqual(s, snapshot()[0])), {
      timeoutMs,
      describe: () => JSON.stringify(snapshot()),
      subscribe: (wake) => {
        const subs = nodes.map(({ node }) => node.onDidChange(wake));
        return () => subs.forEach((s) => s.dispose());
      },
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.nodes.map(({ node }) => node.close()));
    this.nodes.length = 0;
    for (const dir of this.dirs) dir.cleanup();
  }
}

/** Wakes `wake` on any peer change of these nodes; returns the unsubscribe for waitUntil. */
export function subscribeAll(nodes: TestNode[], wake: () => void): () => void {
  const subs = nodes.map(({ node }) => node.onPeersChanged(wake));
  return () => subs.forEach((s) => s.dispose());
}

export const key = (type: ObjectKey['type'], bucket: string, name: string): ObjectKey => ({ type, bucket, key: name });
