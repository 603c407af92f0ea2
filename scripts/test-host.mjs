// `npm run test:host`: the extension's tests inside a real VS Code extension host.
// 1. installs the host (code-server + Chromium) into .vscode-test/code-server when missing;
// 2. builds the extension and bundles the in-host suites (test/extension/{suite,restart}) to out/;
// 3. runs them with @vscode/test-electron, whose "VS Code executable" is scripts/code-shim. The two
//    runs share one workspace and one user-data folder, so the second one (restart) starts a fresh
//    extension host on the storage the first one left behind;
// 4. drives the workbench like a user (test/extension/ui/workbench.ui.mjs): palette prompts, the
//    Objects view, the status bar; its screenshot goes to test-output/.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hostDir = path.join(root, '.vscode-test/code-server');
const codeServer = path.join(hostDir, 'node_modules/.bin/code-server');

function ensureHost() {
  if (existsSync(codeServer) && existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) return;
  console.log('test-host: installing the VS Code test host into .vscode-test/code-server (once, ~90 s)');
  try {
    execFileSync('bash', [path.join(root, 'scripts/install-code-server.sh'), hostDir], { stdio: 'inherit' });
  } catch {
    console.error('test-host: the test host could not be installed (see the messages above).');
    process.exit(1);
  }
}

async function bundleSuites(outdir) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
  const entryPoints = ['suite', 'restart'].flatMap((dir) =>
    readdirSync(path.join(root, 'test/extension', dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(root, 'test/extension', dir, f)),
  );
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir,
    outbase: path.join(root, 'test/extension'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    // vscode is provided by the host; mocha stays a real package (it loads its parts dynamically).
    external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'],
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function runPhase(name, testsDir, workspace, userDataDir, env) {
  console.log(`\ntest-host: ${name}`);
  try {
    await runTests({
      vscodeExecutablePath: path.join(root, 'scripts/code-shim'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(testsDir, 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${userDataDir}`],
      extensionTestsEnv: env,
    });
    return true;
  } catch (error) {
    console.error(`test-host: ${name} failed: ${error instanceof Error ? error.message : error}`);
    return false;
  }
}

function runUi(workspace) {
  console.log('\ntest-host: workbench UI (palette prompts, views, status bar)');
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'scripts/run-ext-tests.mjs'), `--extensionDevelopmentPath=${root}`,
      `--ui-script=${path.join(root, 'test/extension/ui/workbench.ui.mjs')}`, workspace],
    { stdio: 'inherit', env: { ...process.env, MINIDOTE_SCREENSHOT_DIR: path.join(root, 'test-output') } },
  );
  if (result.status !== 0) console.error('test-host: workbench UI failed');
  return result.status === 0;
}

ensureHost();
const outdir = path.join(root, 'out/test/extension');
await bundleSuites(outdir);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'minidote-test-host-'));
const workspace = path.join(scratch, 'workspace');
const userDataDir = path.join(scratch, 'user-data');
const uiWorkspace = path.join(scratch, 'ui-workspace');
mkdirSync(uiWorkspace);
mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
writeFileSync(path.join(workspace, '.vscode/settings.json'), JSON.stringify({ 'minidote.displayName': 'host-test' }, null, 2));
// One port for both runs: workspace storage is keyed by the folder URI, which includes it.
const env = { MINIDOTE_TEST_TOKEN: randomUUID(), CODE_SERVER_PORT: String(await freePort()) };

let ok = false;
try {
  ok = (await runPhase('main suite', path.join(outdir, 'suite'), workspace, userDataDir, env)) &&
    (await runPhase('restart suite (new extension host, same storage)', path.join(outdir, 'restart'), workspace, userDataDir, env)) &&
    runUi(uiWorkspace);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(ok ? '\ntest-host: all extension-host tests passed' : '\ntest-host: extension-host tests FAILED');
process.exit(ok ? 0 : 1);
