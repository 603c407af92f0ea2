// `npm run test:host`: the extension's tests inside a real VS Code extension host.
// 1. installs the host (code-server + Chromium) into .vscode-test/code-server when missing;
// 2. builds the extension and bundles the in-host suites (test/extension/{suite,restart}) to out/;
// 3. runs them with @vscode/test-electron, whose "VS Code executable" is scripts/code-shim. The two
//    runs share one workspace and one user-data folder, so the second one (restart) starts a fresh
//    extension host on the storage the first one left behind;
// 4. drives the workbench like a user (test/extension/ui/*.ui.mjs), each script in a fresh host
//    and workspace: palette prompts, the Objects view and the status bar (workbench.ui.mjs); the
//    replica panel end to end with a headless peer (panel.ui.mjs); the editor features of team state:
//    welcome view, key picker, confirmation, undo, walkthrough and `when` clauses (editor.ui.mjs);
//    two windows with no folder: the second attaches to the first one's replica (windows.ui.mjs).
//    Screenshots go to test-output/.
// Every phase records its "N passed, N failed" in a results file; the last line printed is the
// total over the phases, in the same plain form (what CI reads). A phase fails when it ran no test,
// never wrote its results file, or its bundle or script is missing (test/extension/support/phaseResults.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { judgePhase } from '../test/extension/support/phaseResults.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hostDir = path.join(root, '.vscode-test/code-server');
const codeServer = path.join(hostDir, 'node_modules/.bin/code-server');

function ensureHost() {
  if (existsSync(codeServer) && existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) return true;
  console.log('test-host: installing the VS Code test host into .vscode-test/code-server (once, ~90 s)');
  try {
    execFileSync('bash', [path.join(root, 'scripts/install-code-server.sh'), hostDir], { stdio: 'inherit' });
    return true;
  } catch {
    console.error('test-host: the test host could not be installed (see the messages above).');
    return false;
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

async function runSuite(testsDir, workspace, userDataDir, env) {
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
    console.error(`test-host: ${error instanceof Error ? error.message : error}`);
    return false;
  }
}

/** A UI script in its own host; with `userDataDir`, the script gets that folder (to write user keybindings). */
function runUi(script, workspace, env, userDataDir) {
  mkdirSync(workspace, { recursive: true });
  const userData = userDataDir ? [`--user-data-dir=${userDataDir}`] : [];
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'scripts/run-ext-tests.mjs'),
      `--extensionDevelopmentPath=${root}`,
      `--ui-script=${path.join(root, 'test/extension/ui', script)}`,
      ...userData,
      workspace,
    ],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        ...env,
        MINIDOTE_SCREENSHOT_DIR: path.join(root, 'test-output'),
        ...(userDataDir && { MINIDOTE_UI_USER_DATA: userDataDir }),
      },
    },
  );
  return new Promise((resolve) => child.on('exit', (code) => resolve(code === 0)));
}

/** What must exist before a phase can run: a bundled suite's index and test files, or a UI script. */
function missingFiles(phase) {
  if (phase.suiteDir) {
    const index = path.join(phase.suiteDir, 'index.js');
    if (!existsSync(index)) return `${index} does not exist (was the suite's index.ts renamed?)`;
    if (!readdirSync(phase.suiteDir).some((f) => f.endsWith('.test.js')))
      return `${phase.suiteDir} holds no *.test.js (were the tests renamed?)`;
  }
  if (phase.uiScript && !existsSync(phase.uiScript)) return `${phase.uiScript} does not exist`;
  return undefined;
}

/** Runs the phases (a phase may need an earlier one to have passed) and returns each one's counts. */
async function runPhases(scratch) {
  const outdir = path.join(root, 'out/test/extension');
  await bundleSuites(outdir);
  const workspace = path.join(scratch, 'workspace');
  const userDataDir = path.join(scratch, 'user-data');
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  // The display name is a user setting (scope "application"): the one in the workspace, as a
  // repository would set it, must not apply (test/extension/suite/editorState.test.ts checks it).
  writeFileSync(
    path.join(workspace, '.vscode/settings.json'),
    JSON.stringify({ 'minidote.displayName': 'set-by-the-repository' }, null, 2),
  );
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User/settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'minidote.displayName': 'host-test' }, null, 2),
  );
  // One port for both runs: workspace storage is keyed by the folder URI, which includes it.
  const env = { MINIDOTE_TEST_TOKEN: randomUUID(), CODE_SERVER_PORT: String(await freePort()) };
  const suiteDir = (name) => path.join(outdir, name);
  const uiScript = (name) => path.join(root, 'test/extension/ui', name);
  const phases = [
    { name: 'main suite', suiteDir: suiteDir('suite'), run: (e) => runSuite(suiteDir('suite'), workspace, userDataDir, { ...env, ...e }) },
    {
      name: 'restart suite (new extension host, same storage)',
      needs: 'main suite',
      suiteDir: suiteDir('restart'),
      run: (e) => runSuite(suiteDir('restart'), workspace, userDataDir, { ...env, ...e }),
    },
    {
      name: 'workbench UI (palette prompts, views, status bar)',
      uiScript: uiScript('workbench.ui.mjs'),
      run: (e) => runUi('workbench.ui.mjs', path.join(scratch, 'ui-workspace'), e),
    },
    {
      name: 'replica panel end to end (headless peer, palette, panel)',
      uiScript: uiScript('panel.ui.mjs'),
      run: (e) => runUi('panel.ui.mjs', path.join(scratch, 'panel-workspace'), e),
    },
    {
      name: 'editor features (welcome view, fast Enter, set_2p confirmation, undo, walkthrough, when clauses with a headless peer)',
      uiScript: uiScript('editor.ui.mjs'),
      run: (e) => {
        // The README's example twice over: Ctrl+Alt+D counts ui/deploys unless the freeze flag is on,
        // ui/blocked while it is. Installed before the workbench starts, so that it is read at startup.
        const userData = path.join(scratch, 'editor-user-data');
        mkdirSync(path.join(userData, 'User'), { recursive: true });
        copyFileSync(path.join(root, 'test/extension/ui/editor.keybindings.json'), path.join(userData, 'User/keybindings.json'));
        return runUi('editor.ui.mjs', path.join(scratch, 'editor-workspace'), e, userData);
      },
    },
    {
      name: 'two windows with no folder (the second attaches, its updates reach a headless peer, closing the first hands over)',
      uiScript: uiScript('windows.ui.mjs'),
      run: (e) => runUi('windows.ui.mjs', path.join(scratch, 'windows-workspace'), e, path.join(scratch, 'windows-user-data')),
    },
  ];
  const outcomes = [];
  for (const [index, phase] of phases.entries()) {
    if (phase.needs && !outcomes.find((o) => o.name === phase.needs)?.ok) {
      outcomes.push({ name: phase.name, ok: false, skipped: `skipped: the ${phase.needs} failed`, passed: 0, failed: 0 });
      continue;
    }
    console.log(`\ntest-host: ${phase.name}`);
    const missing = missingFiles(phase);
    if (missing) {
      console.error(`test-host: ${phase.name} cannot run: ${missing}`);
      outcomes.push({ name: phase.name, ok: false, passed: 0, failed: 1, problem: `cannot run: ${missing}` });
      continue;
    }
    const resultsFile = path.join(scratch, `results-${index}.jsonl`);
    const outcome = judgePhase(resultsFile, await phase.run({ MINIDOTE_RESULTS_FILE: resultsFile }));
    if (!outcome.ok) console.error(`test-host: ${phase.name} failed${outcome.problem ? `: ${outcome.problem}` : ''}`);
    outcomes.push({ name: phase.name, ...outcome });
  }
  return outcomes;
}

let outcomes;
if (!ensureHost()) {
  outcomes = [{ name: 'installing the test host', ok: false, passed: 0, failed: 1 }];
} else {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'minidote-test-host-'));
  try {
    outcomes = await runPhases(scratch);
  } catch (error) {
    console.error('test-host:', error);
    outcomes = [{ name: 'preparing the phases (build, bundle)', ok: false, passed: 0, failed: 1 }];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
console.log('');
for (const o of outcomes) {
  console.log(`test-host: ${o.name}: ${o.skipped ?? `${o.passed} passed, ${o.failed} failed${o.problem ? ` (${o.problem})` : ''}`}`);
}
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
