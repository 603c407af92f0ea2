import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Json } from '../../../src/core/json';

/**
 * `minidote serve` from this build (dist/cli.js) on 127.0.0.1, as a team's always-on peer runs
 * it, read and written with the `minidote` command line as scripts and CI do.
 */
export class HeadlessNode {
  /** A test process that ends without stopping its node (a timeout, a crash) takes the node down with it. */
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  private constructor(
    private readonly cli: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {
    process.once('exit', this.killOnExit);
  }

  /** Starts `serve --id ID --display-name ID` on a free port, plus `extraArgs` (e.g. `--peer URL`). */
  static async start(extensionPath: string, id: string, extraArgs: readonly string[] = []): Promise<HeadlessNode> {
    const cli = path.join(extensionPath, 'dist/cli.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'minidote-headless-'));
    const args = ['serve', '--data', dir, '--id', id, '--display-name', id, '--host', '127.0.0.1', '--port', '0', '--fsync', 'never'];
    const child = spawn(process.execPath, [cli, ...args, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    return new HeadlessNode(cli, child, dir, url);
  }

  /** `minidote read TYPE BUCKET KEY`: the value. */
  async read(type: string, bucket: string, key: string): Promise<Json> {
    return (JSON.parse(await this.run(['read', '--node', this.url, type, bucket, key])) as { value: Json }).value;
  }

  /** `minidote update TYPE BUCKET KEY OP [ARG...]`. */
  async update(type: string, bucket: string, key: string, op: string, ...args: string[]): Promise<void> {
    await this.run(['update', '--node', this.url, type, bucket, key, op, ...args]);
  }

  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [this.cli, ...args], (error, stdout, stderr) => {
        if (error) reject(new Error(`minidote ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      });
    });
  }
}
