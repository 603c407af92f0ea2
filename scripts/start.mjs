// `npm start`: builds, then runs one local node on the embedded default (data in ./.minidote,
// ws://127.0.0.1:7878) and says how to talk to it.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// npm runs scripts from the package root; INIT_CWD is where the user typed `npm start`.
const dataDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), '.minidote');
const cli = path.join(root, 'dist', 'cli.js');
const args = ['serve', '--data', dataDir, '--port', process.env.MINIDOTE_PORT ?? '7878', ...process.argv.slice(2)];
const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => {
  process.stdout.write(text);
  const match = /listening on (\S+)/.exec(text);
  if (!match) return;
  const url = match[1];
  const node = url === 'ws://127.0.0.1:7878' ? '' : ` --node ${url}`;
  process.stdout.write(`
Data lives in ${dataDir}. Try, from another terminal:
  node dist/cli.js update${node} flag_ew ops deploy-freeze enable
  node dist/cli.js read${node} flag_ew ops deploy-freeze
  node dist/cli.js update${node} set_aw team on-call add alice
  node dist/cli.js status${node}
In VS Code, add "${url}" to the "minidote.peers" setting (or run "Minidote: Connect to Peer").
Stop with Ctrl+C.
`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
