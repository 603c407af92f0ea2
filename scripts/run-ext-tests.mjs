// Runs an extension's tests inside a real VS Code extension host: code-server (VS Code's server and
// web workbench) plus headless Chromium, because the desktop VS Code cannot be downloaded here.
// Usage: node scripts/run-ext-tests.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=MODULE
//          [--user-data-dir=DIR] [WORKSPACE_FOLDER]
// (the flags `@vscode/test-electron` passes to a VS Code executable; others are ignored), or
//        node scripts/run-ext-tests.mjs --extensionDevelopmentPath=DIR --ui-script=FILE.mjs [WORKSPACE_FOLDER]
// which loads the extension and hands the page to FILE's default export,
// async ({ page, folder }) => void (folder: the workspace folder's path), for tests that drive the
// workbench like a user (a throw fails the run, with a screenshot NAME-failure.png).
// Environment: CODE_SERVER_BIN, CHROMIUM_PATH, CODE_SERVER_PORT (default: a free one),
// TEST_TIMEOUT_MS, CS_VERBOSE=1 (code-server output), PAGE_CONSOLE=1 (workbench console).
// Exits with the test module's result, which the workbench reports through window.codeAutomationExit.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const codeServer = process.env.CODE_SERVER_BIN || path.join(root, '.vscode-test/code-server/node_modules/.bin/code-server');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 240000);

/** Workbench start-up messages and the gallery lookup that fails on a closed network: not test output. */
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[Service Worker\]|ChatSessionStore)|ENOTFOUND open-vsx\.org/;

function parseArgs(argv) {
  const out = { folder: undefined, flags: {} };
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (m) out.flags[m[1]] = m[2];
    else if (!arg.startsWith('-')) out.folder = arg;
  }
  return out;
}

const { folder: folderArg, flags } = parseArgs(process.argv.slice(2));
const extDev = flags.extensionDevelopmentPath && path.resolve(flags.extensionDevelopmentPath);
const extTests = flags.extensionTestsPath && path.resolve(flags.extensionTestsPath);
const uiScript = flags['ui-script'] && path.resolve(flags['ui-script']);
if (!extDev || (!extTests && !uiScript)) {
  console.error('run-ext-tests: --extensionDevelopmentPath=DIR and --extensionTestsPath=MODULE (or --ui-script=FILE) are required');
  process.exit(2);
}
// A missing test module would otherwise leave the workbench waiting for a result until the timeout.
for (const [what, file] of [
  ['--extensionTestsPath', extTests],
  ['--ui-script', uiScript],
]) {
  if (file && !existsSync(file) && !existsSync(`${file}.js`)) {
    console.error(`run-ext-tests: ${what} ${file} does not exist`);
    process.exit(2);
  }
}
for (const [what, file] of [
  ['code-server', codeServer],
  ['Chromium', chromiumPath],
]) {
  if (!existsSync(file)) {
    console.error(`run-ext-tests: ${what} not found at ${file}; run scripts/install-code-server.sh (see README, "Tests")`);
    process.exit(2);
  }
}
const folder = path.resolve(folderArg ?? extDev);

// Everything code-server writes goes to temp folders, except a caller-chosen --user-data-dir: that
// one holds workspace storage, and keeping it between two runs is how the restart test works.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'minidote-host-'));
const userDataDir = flags['user-data-dir'] ? path.resolve(flags['user-data-dir']) : path.join(scratch, 'user-data');
const extensionsDir = path.join(scratch, 'extensions');
for (const dir of [path.join(userDataDir, 'User'), extensionsDir, path.join(scratch, 'config'), path.join(scratch, 'data')]) {
  mkdirSync(dir, { recursive: true });
}
// No welcome page: it takes the focus (closing quick picks a UI test opened) and slows start-up.
const userSettings = path.join(userDataDir, 'User/settings.json');
if (!existsSync(userSettings)) {
  writeFileSync(userSettings, JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false }, null, 2));
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

// Workspace storage is keyed by the folder's URI, port included: a caller that runs the host twice
// on the same storage (the restart test) passes the same port both times.
const port = Number(process.env.CODE_SERVER_PORT) || (await freePort());
const authority = `127.0.0.1:${port}`;
const started = Date.now();
const server = spawn(
  codeServer,
  [
    '--auth',
    'none',
    '--bind-addr',
    authority,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    folder,
  ],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the extension host goes down with it
    env: { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_DATA_HOME: path.join(scratch, 'data') },
  },
);
let serverLog = '';
const collect = (chunk) => {
  serverLog += chunk;
  if (process.env.CS_VERBOSE) process.stderr.write(`[code-server] ${chunk}`);
};
server.stdout.on('data', collect);
server.stderr.on('data', collect);
const serverExited = new Promise((resolve) => server.on('exit', resolve));

async function waitForServer() {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://${authority}/healthz`)).ok) return;
    } catch {
      // not accepting connections yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('code-server did not answer on /healthz within 60 s');
}

let browser;
let exitCode = 1;
try {
  await waitForServer();
  console.log(`code-server ready on ${authority} after ${Date.now() - started} ms`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const finished = new Promise((resolve) => {
    page.exposeFunction('codeAutomationLog', (_type, args) => {
      const parts = Array.isArray(args) ? args : [args];
      if (process.env.CS_VERBOSE || !WORKBENCH_CHATTER.test(parts.join(' '))) console.log(...parts);
    });
    page.exposeFunction('codeAutomationExit', (code) => resolve(code));
  });
  if (process.env.PAGE_CONSOLE) page.on('console', (m) => console.log('[page]', m.type(), m.text()));
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${extDev}`]];
  if (extTests) payload.push(['extensionTestsPath', `vscode-remote://${authority}${extTests}`]);
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no test result after ${timeoutMs} ms`)), timeoutMs);
  });
  const result = uiScript
    ? import(pathToFileURL(uiScript).href).then(async (script) => {
        await script.default({ page, folder });
        return 0;
      })
    : finished;
  exitCode = await Promise.race([result, timedOut]);
  clearTimeout(timer);
  console.log(`extension tests exited with ${exitCode} after ${Date.now() - started} ms`);
} catch (error) {
  console.error('run-ext-tests:', error);
  if (uiScript) {
    const name = `${path.basename(uiScript).replace(/(\.ui)?\.mjs$/, '')}-failure.png`;
    const shot = path.join(path.resolve(process.env.MINIDOTE_SCREENSHOT_DIR ?? 'test-output'), name);
    mkdirSync(path.dirname(shot), { recursive: true });
    await browser
      ?.contexts()[0]
      ?.pages()[0]
      ?.screenshot({ path: shot })
      .then(
        () => console.error(`screenshot of the failure: ${shot}`),
        () => undefined,
      );
  }
  if (!process.env.CS_VERBOSE) console.error(`--- code-server output ---\n${serverLog}`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  // SIGTERM lets the server shut its extension host down (extensions deactivate, files get closed).
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const stopped = await Promise.race([serverExited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10000))]);
  if (!stopped) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(typeof exitCode === 'number' ? exitCode : 1);
