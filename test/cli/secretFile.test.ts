import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { weakSecretWarning } from '../../src/cli/secretFile';
import { generateSecret } from '../../src/net/auth';
import { tempDir } from '../support/tempDir';
import { ServeProcess, runCli, startServe } from './cliProcess';

describe('cli: weak team secrets', function () {
  this.timeout(60_000);
  const dirs: { path: string; cleanup(): void }[] = [];
  const nodes: ServeProcess[] = [];
  after(() => {
    for (const n of nodes) n.child.kill('SIGKILL');
    for (const d of dirs) d.cleanup();
  });

  function secretFile(content: string): { dir: string; file: string } {
    const d = tempDir('minidote-secret-');
    dirs.push(d);
    const file = path.join(d.path, 'secret');
    writeFileSync(file, content);
    return { dir: d.path, file };
  }

  it('names the file and the problem for a weak secret, and says nothing for a strong one', () => {
    assert.match(
      weakSecretWarning('s3cret', '/etc/team') ?? '',
      /team secret in \/etc\/team is weak \(it has 6 characters; use at least 16\)/,
    );
    assert.equal(weakSecretWarning(generateSecret(), '/etc/team'), undefined);
  });

  it('serve with a short secret warns on stderr but runs and serves clients with it', async () => {
    const { dir, file } = secretFile('  s3cret\n');
    const node = await startServe(['--data', path.join(dir, 'data'), '--id', 'weakA', '--secret-file', file]);
    nodes.push(node);
    assert.match(node.stderr(), /\[warn\] the team secret in .* is weak/);
    const result = await runCli(['update', '--node', node.url, '--secret-file', file, 'flag_ew', 'b', 'k', 'enable']);
    assert.equal(result.code, 0, result.stderr);
  });

  it('serve with a strong secret does not warn', async () => {
    const { dir, file } = secretFile(`${generateSecret()}\n`);
    const node = await startServe(['--data', path.join(dir, 'data'), '--id', 'strongA', '--secret-file', file]);
    nodes.push(node);
    assert.doesNotMatch(node.stderr(), /is weak/);
  });
});
