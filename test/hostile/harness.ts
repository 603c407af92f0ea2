import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Json } from '../../src/core/json';
import { ObjectKey } from '../../src/core/transaction';
import { VectorClock } from '../../src/core/vectorClock';
import { MinidoteClient } from '../../src/net/client';
import { CliResult, ServeProcess, runCli, startServe } from '../cli/cliProcess';
import { tempDir } from '../support/tempDir';

/** Long and random-looking, so that no weak-secret warning or refusal gets in the way. */
export const TEAM_SECRET = 'hostile-suite-7f3c9a1e5b2d4c6a8e0f1b3d5c7e9a2b';

export interface ServeOptions {
  /** Reuse a data directory (restart); a fresh one otherwise. */
  readonly data?: string;
  readonly id?: string;
  readonly peers?: readonly string[];
  /** Whether the node and every CLI call use the team secret (default true). */
  readonly secret?: boolean;
  readonly port?: number;
  readonly extra?: readonly string[];
}

/** A running `minidote serve` and how it was started, so that it can be restarted the same way. */
export interface ServeNode {
  readonly process: ServeProcess;
  readonly url: string;
  readonly id: string;
  readonly data: string;
  readonly pid: number;
  readonly port: number;
  readonly options: ServeOptions;
}

/**
 * The serve processes and directories of one test: started on 127.0.0.1 port 0, each with its
 * own data directory, all killed and removed by `cleanup` (call it in afterEach).
 */
export class Fleet {
  private readonly running = new Set<ServeProcess>();
  private readonly dirs: { cleanup(): void }[] = [];
  readonly secretFile: string;

  constructor(readonly secret: string = TEAM_SECRET) {
    this.secretFile = path.join(this.dir('secret'), 'team.secret');
    writeFileSync(this.secretFile, `${secret}\n`);
  }

  /** A fresh temporary directory, removed by `cleanup`. */
  dir(name = 'data'): string {
    const made = tempDir(`minidote-hostile-${name}-`);
    this.dirs.push(made);
    return made.path;
  }

  async serve(options: ServeOptions = {}): Promise<ServeNode> {
    const data = options.data ?? this.dir(options.id ?? 'node');
    const args = ['--data', data, '--port', String(options.port ?? 0)];
    if (options.id !== undefined) args.push('--id', options.id);
    for (const peer of options.peers ?? []) args.push('--peer', peer);
    if (options.secret !== false) args.push('--secret-file', this.secretFile);
    args.push(...(options.extra ?? []));
    const served = await startServe(args);
    this.running.add(served);
    void served.exited.then(() => this.running.delete(served));
    const port = Number(new URL(served.url).port);
    return { process: served, url: served.url, id: served.id, data, pid: served.child.pid as number, port, options: { ...options, data } };
  }

  /** SIGTERM, and wait for a clean exit (the log is flushed and the lock released). */
  async stop(node: ServeNode): Promise<number | null> {
    node.process.child.kill('SIGTERM');
    return node.process.exited;
  }

  /** Stops the node and starts it again on the same directory, id and port. */
  async restart(node: ServeNode): Promise<ServeNode> {
    const code = await this.stop(node);
    assert.equal(code, 0, `serve ${node.id} did not shut down cleanly: ${node.process.stderr()}`);
    return this.serve({ ...node.options, port: node.port });
  }

  cleanup(): void {
    for (const served of this.running) served.child.kill('SIGKILL');
    this.running.clear();
    for (const dir of this.dirs.splice(0)) dir.cleanup();
  }

  /** Client options for `node`: --node and, when the node has one, --secret-file. */
  clientArgs(node: ServeNode): string[] {
    return ['--node', node.url, ...(node.options.secret !== false ? ['--secret-file', this.secretFile] : [])];
  }

  /** `minidote update [options] WORDS...` against `node`, whatever its outcome. */
  update(node: ServeNode, words: readonly string[], options: readonly string[] = []): Promise<CliResult> {
    return runCli(['update', ...this.clientArgs(node), ...options, ...words]);
  }

  /** An update that must succeed; returns its commit clock. */
  async mustUpdate(node: ServeNode, words: readonly string[], options: readonly string[] = []): Promise<VectorClock> {
    const result = await this.update(node, words, options);
    assert.equal(result.code, 0, `update ${words.join(' ')} at ${node.id} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as VectorClock;
  }

  /** `minidote read`, which must succeed; `clock` makes it wait until the node has delivered it. */
  async read(node: ServeNode, key: ObjectKey, clock?: VectorClock, timeoutMs = 20_000): Promise<{ value: Json; clock: VectorClock }> {
    const options = clock ? ['--clock', JSON.stringify(clock), '--timeout', String(timeoutMs)] : [];
    const result = await runCli(['read', ...this.clientArgs(node), ...options, key.type, key.bucket, key.key]);
    assert.equal(result.code, 0, `read ${key.type} ${key.bucket} ${key.key} at ${node.id} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as { value: Json; clock: VectorClock };
  }

  async value(node: ServeNode, key: ObjectKey, clock?: VectorClock): Promise<Json> {
    return (await this.read(node, key, clock)).value;
  }

  /** `minidote status` as parsed JSON. */
  async status(node: ServeNode): Promise<NodeStatusJson> {
    const result = await runCli(['status', ...this.clientArgs(node)]);
    assert.equal(result.code, 0, `status at ${node.id} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as NodeStatusJson;
  }

  /**
   * Reads `keys` over one fresh client connection (for many keys, or values too large for the
   * CLI's piped output); `ms` includes connecting and the handshake.
   */
  async timedRead(
    node: ServeNode,
    keys: readonly ObjectKey[],
    wait?: { clock: VectorClock; timeoutMs: number },
  ): Promise<{ ms: number; values: Json[]; clock: VectorClock }> {
    const started = performance.now();
    const client = await MinidoteClient.connect(node.url, {
      secret: node.options.secret !== false ? this.secret : undefined,
      timeoutMs: 10_000,
    });
    try {
      const result = await client.read([...keys], wait?.clock, wait?.timeoutMs);
      return { ms: performance.now() - started, ...result };
    } finally {
      client.close();
    }
  }
}

/** Fails unless `node` answers a read of `keys` (connection included) within `ms`. */
export async function answersReadWithin(fleet: Fleet, node: ServeNode, keys: readonly ObjectKey[], ms: number): Promise<Json[]> {
  const read = fleet.timedRead(node, keys);
  const late = sleep(ms).then(() => undefined);
  const answer = await Promise.race([read.catch((error: Error) => error), late]);
  if (answer === undefined) {
    read.catch(() => undefined);
    assert.fail(`${node.id} did not answer a read within ${ms} ms`);
  }
  if (answer instanceof Error) throw answer;
  assert.ok(answer.ms <= ms, `${node.id} took ${Math.round(answer.ms)} ms to answer a read (limit ${ms} ms)`);
  return answer.values;
}

/** The parts of `minidote status` these tests look at. */
export interface NodeStatusJson {
  readonly id: string;
  readonly clock: VectorClock;
  readonly waiting: number;
  readonly peers: { id: string | null; url: string | null; connected: boolean; state?: string }[];
  readonly conflicts?: { origin: string; seq: number }[];
}

export const key = (type: ObjectKey['type'], bucket: string, name: string): ObjectKey => ({ type, bucket, key: name });

/** The CLI words of an update on `k`. */
export const words = (k: ObjectKey, op: string, ...args: string[]): string[] => [k.type, k.bucket, k.key, op, ...args];

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Looks for damage repeatedly for `ms`: for harm that would show up some time after a message,
 * when a node that behaves gives nothing to wait for. Fails as soon as `findDamage` describes some.
 */
export async function noDamageFor(ms: number, findDamage: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + ms;
  do {
    const damage = await findDamage();
    if (damage !== undefined) assert.fail(damage);
    await sleep(200);
  } while (Date.now() < deadline);
}
