import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MinidoteNode } from '../../../src/node/minidoteNode';

function scratchDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'minidote-headless-'));
}

/** A second replica in the test's own process, listening on 127.0.0.1 (any free port). */
export async function startPeerNode(id: string): Promise<{ node: MinidoteNode; url: string; stop(): Promise<void> }> {
  const dir = scratchDir();
  const node = await MinidoteNode.open({ dataDir: dir, id, displayName: id, fsync: 'never', listen: { host: '127.0.0.1', port: 0 } });
  return {
    node,
    url: node.listenUrl as string,
    stop: async () => {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `minidote serve` from this build (dist/cli.js), as a team's always-on peer runs it. */
export class ServeProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(extensionPath: string, id: string, extraArgs: readonly string[] = []): Promise<ServeProcess> {
    const dir = scratchDir();
    const args = ['serve', '--data', dir, '--id', id, '--display-name', id, '--host', '127.0.0.1', '--port', '0', '--fsync', 'never'];
    const child = spawn(process.execPath, [path.join(extensionPath, 'dist/cli.js'), ...args, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (d) => {
        stdout += d;
        const match = /^minidote \S+ listening on (ws:\/\/\S+)\n/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`minidote serve exited with ${code}: ${stderr}`)));
    });
    return new ServeProcess(child, dir, url);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
