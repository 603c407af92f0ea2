import assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { tempDir } from '../support/tempDir';

const PROJECT = path.resolve(__dirname, '../..');
/** npm comes with node; the npm that runs `npm test` may not be on PATH for a bare `mocha`. */
const PATH_WITH_NODE = [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
/** Nothing from this checkout may leak into the installed binary (a preloaded tsx, a module path). */
const CLEAN_ENV = { ...withoutKeys(process.env, ['NODE_OPTIONS', 'NODE_PATH']), PATH: PATH_WITH_NODE };
/** ws loads these native add-ons inside try/catch and falls back to JavaScript without them. */
const OPTIONAL_ADDONS = new Set(['bufferutil', 'utf-8-validate']);

function withoutKeys(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of keys) delete copy[key];
  return copy;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: CLEAN_ENV, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(file: string, args: string[], cwd: string): Promise<string> {
  const result = await run(file, args, cwd);
  assert.equal(result.code, 0, `${path.basename(file)} ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Starts the installed `minidote serve` and resolves with its ready line's id and URL. */
function startInstalledServe(bin: string, args: string[], cwd: string): Promise<{ child: ChildProcess; id: string; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', ...args], { cwd, env: CLEAN_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      const ready = /^minidote (\S+) listening on (wss?:\/\/\S+)\n/.exec(stdout);
      if (ready) resolve({ child, id: ready[1], url: ready[2] });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`installed serve exited with ${code} before it was ready: ${stderr}`)));
  });
}

/**
 * The npm package as a team would install it for a hub (README, "Set up a team"; the Dockerfile runs
 * the same two steps): `npm pack`, then `npm install -g` of the tarball into an empty prefix with no
 * network, then the installed `minidote` binary, with none of this checkout's node_modules in reach.
 */
describe('cli: the packed npm package installs a working minidote', function () {
  this.timeout(90_000);
  let work: { path: string; cleanup(): void };
  let bin = '';
  let installed = '';
  let tarball = '';
  let entries: string[] = [];
  let hub: ChildProcess | undefined;

  before(async () => {
    work = tempDir('minidote-install-');
    const prefix = path.join(work.path, 'prefix');
    bin = path.join(prefix, 'bin', 'minidote');
    installed = path.join(prefix, 'lib', 'node_modules', 'minidote');
    // A private cache keeps npm's files (and logs) out of the user's home.
    const cache = path.join(work.path, 'npm-cache');
    // prepack builds dist/ first, so the tarball holds the bundle of the sources as they are now.
    await ok('npm', ['pack', '--pack-destination', work.path, '--cache', cache, '--no-update-notifier'], PROJECT);
    const packed = readdirSync(work.path).filter((name) => /^minidote-.*\.tgz$/.test(name));
    assert.equal(packed.length, 1, `npm pack left ${packed.join(', ') || 'no tarball'}`);
    tarball = path.join(work.path, packed[0]);
    entries = (await ok('tar', ['-tzf', tarball], work.path)).split('\n').filter((line) => line !== '');
    // --offline with a cache that holds nothing from a registry: the install needs only the tarball.
    const flags = ['--prefix', prefix, '--cache', cache, '--offline', '--no-audit', '--no-fund', '--no-update-notifier'];
    await ok('npm', ['install', '--global', ...flags, tarball], work.path);
  });

  after(async () => {
    if (hub && hub.exitCode === null && hub.signalCode === null) {
      const exited = new Promise((done) => hub?.once('exit', done));
      hub.kill('SIGKILL');
      await exited;
    }
    work?.cleanup();
  });

  it('the tarball holds only the CLI bundle, README, LICENSE and package.json: no sources, tests or editor assets', () => {
    assert.deepEqual(
      [...entries].sort(),
      ['package/LICENSE', 'package/README.md', 'package/dist/cli.js', 'package/package.json'],
      `tarball entries: ${entries.join(', ')}`,
    );
    assert.ok(!entries.some((entry) => /^package\/(src|test)\//.test(entry)));
    const size = statSync(tarball).size;
    assert.ok(size < 250_000, `the tarball is ${size} bytes`);
  });

  it('the installed bundle requires only Node built-ins (and the optional ws add-ons), and no node_modules came with it', () => {
    const source = readFileSync(path.join(installed, 'dist', 'cli.js'), 'utf8');
    const required = new Set([...source.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]));
    const foreign = [...required].filter((name) => !isBuiltin(name) && !OPTIONAL_ADDONS.has(name));
    assert.deepEqual(foreign, [], 'the CLI bundle must be self-contained');
    assert.ok(required.has('node:fs'), 'the scan found the bundle’s requires');
    assert.ok(!existsSync(path.join(installed, 'node_modules')), 'the package installed dependencies');
    assert.equal(JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')).bin.minidote, 'dist/cli.js');
  });

  it('the installed minidote serves, applies an update, reads it back, reports its status and stops cleanly', async () => {
    const secretFile = path.join(work.path, 'team-secret');
    writeFileSync(secretFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    const data = path.join(work.path, 'data');
    const auth = ['--secret-file', secretFile];
    const serve = ['--data', data, '--host', '127.0.0.1', '--port', '0', ...auth];
    const started = await startInstalledServe(bin, serve, work.path);
    hub = started.child;
    const node = ['--node', started.url, ...auth];

    const clock = JSON.parse(await ok(bin, ['update', ...node, 'flag_ew', 'ops', 'deploy-freeze', 'enable'], work.path));
    assert.deepEqual(clock, { [started.id]: 1 });
    const read = JSON.parse(await ok(bin, ['read', ...node, 'flag_ew', 'ops', 'deploy-freeze'], work.path));
    assert.deepEqual(read, { value: true, clock: { [started.id]: 1 } });
    const status = JSON.parse(await ok(bin, ['status', ...node], work.path));
    assert.equal(status.id, started.id);
    assert.deepEqual(status.clock, { [started.id]: 1 });
    assert.equal(status.listening, started.url);
    const refused = await run(bin, ['status', '--node', started.url], work.path);
    assert.equal(refused.code, 3, `status without the secret exited ${refused.code}: ${refused.stderr}`);

    const exited = new Promise<number | null>((done) => started.child.once('exit', (code) => done(code)));
    started.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'serve exits 0 on SIGTERM (what docker stop sends)');
    assert.ok(existsSync(path.join(data, 'replica.json')), 'the data directory holds the replica');
  });
});
