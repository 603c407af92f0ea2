import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MinidoteClient } from '../../src/net/client';
import { MinidoteNode } from '../../src/node/minidoteNode';
import { CLI, runCli } from '../cli/cliProcess';
import { tempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitFor';

const SECRET = 'tls-test team secret 4d8a61f0';

function opensslWorks(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

/** A self-signed certificate for 127.0.0.1 and localhost, and its key, as files in `dir`. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.cert.pem`);
  const key = path.join(dir, `${name}.key.pem`);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  return { cert, key };
}

interface Served {
  readonly url: string;
  readonly stderr: () => string;
  stop(): Promise<void>;
}

/** `minidote serve` until its ready line, which may name ws:// or wss://. */
function serve(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--fsync', 'never', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stderr?.on('data', (d) => (stderr += d));
    child.stdout?.on('data', (d) => {
      stdout += d;
      const ready = /^minidote \S+ listening on (\S+)\n/.exec(stdout);
      if (ready) {
        resolve({
          url: ready[1],
          stderr: () => stderr,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(() => reject(new Error(`serve exited before it was ready: ${stdout}${stderr}`)));
  });
}

describe('net: real TLS (wss://) with a certificate made in the test', function () {
  this.timeout(60_000);
  const dir = tempDir('minidote-tls-');
  const servers: Served[] = [];
  const nodes: MinidoteNode[] = [];
  let hub: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  const secretFile = path.join(dir.path, 'team.secret');
  let dataDirs = 0;
  const dataDir = () => path.join(dir.path, `data-${++dataDirs}`);

  before(function () {
    // openssl makes the certificates; node:crypto cannot write an X.509 certificate by itself.
    if (!opensslWorks()) this.skip();
    hub = selfSigned(dir.path, 'hub');
    stranger = selfSigned(dir.path, 'stranger');
    writeFileSync(secretFile, `${SECRET}\n`);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });
  after(() => dir.cleanup());

  const tlsServe = (...extra: string[]) => serve(['--data', dataDir(), '--tls-cert', hub.cert, '--tls-key', hub.key, ...extra]);

  it('serve --tls-cert --tls-key prints a wss:// ready line; update, read and status with --ca-file work over it', async () => {
    const node = await tlsServe();
    servers.push(node);
    assert.match(node.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = ['--node', node.url, '--ca-file', hub.cert];
    const update = await runCli(['update', ...client, 'set_aw', 'team', 'on-call', 'add', 'ada']);
    assert.equal(update.code, 0, update.stderr);
    const read = await runCli(['read', ...client, 'set_aw', 'team', 'on-call']);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout).value, ['ada']);
    const status = await runCli(['status', ...client]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).listening, node.url);
  });

  it('a CLI that does not trust the certificate (another CA, or the system roots) exits 3 saying so', async () => {
    const node = await tlsServe();
    servers.push(node);
    for (const trust of [['--ca-file', stranger.cert], []]) {
      const read = await runCli(['read', '--node', node.url, ...trust, 'set_aw', 'team', 'on-call']);
      assert.equal(read.code, 3, read.stderr);
      assert.match(read.stderr, /TLS certificate of wss:\/\/127\.0\.0\.1:\d+ is not trusted .*--ca-file/);
    }
  });

  it('TLS and the team secret together: a client needs both the CA and the secret', async () => {
    const node = await tlsServe('--secret-file', secretFile);
    servers.push(node);
    const withBoth = await runCli([
      'read',
      '--node',
      node.url,
      '--ca-file',
      hub.cert,
      '--secret-file',
      secretFile,
      'flag_ew',
      'ops',
      'freeze',
    ]);
    assert.equal(withBoth.code, 0, withBoth.stderr);
    const withoutSecret = await runCli(['read', '--node', node.url, '--ca-file', hub.cert, 'flag_ew', 'ops', 'freeze']);
    assert.equal(withoutSecret.code, 3);
    assert.match(withoutSecret.stderr, /requires a team secret/);
  });

  it('refuses as bad usage (exit 2): --ca-file for a ws:// node, --tls-cert without --tls-key, a CA file that holds no certificate', async () => {
    const wsCa = await runCli(['read', '--node', 'ws://127.0.0.1:1', '--ca-file', hub.cert, 'flag_ew', 'ops', 'freeze']);
    assert.equal(wsCa.code, 2);
    assert.match(wsCa.stderr, /--ca-file applies to wss:\/\/ addresses/);
    const certOnly = await runCli(['serve', '--data', dataDir(), '--port', '0', '--tls-cert', hub.cert]);
    assert.equal(certOnly.code, 2);
    assert.match(certOnly.stderr, /--tls-cert and --tls-key go together/);
    const keyAsCa = await runCli(['read', '--node', 'wss://127.0.0.1:1', '--ca-file', hub.key, 'flag_ew', 'ops', 'freeze']);
    assert.equal(keyAsCa.code, 2);
    assert.match(keyAsCa.stderr, /holds no PEM certificate/);
    const swapped = await runCli(['serve', '--data', dataDir(), '--port', '0', '--tls-cert', hub.cert, '--tls-key', stranger.key]);
    assert.equal(swapped.code, 2);
    assert.match(swapped.stderr, /cannot use the TLS certificate/);
  });

  it('serve --peer wss:// with --ca-file replicates with a TLS hub, under the team secret too', async () => {
    const hubNode = await tlsServe('--secret-file', secretFile);
    servers.push(hubNode);
    const member = await serve(['--data', dataDir(), '--secret-file', secretFile, '--peer', hubNode.url, '--ca-file', hub.cert]);
    servers.push(member);
    const update = await runCli([
      'update',
      '--node',
      hubNode.url,
      '--ca-file',
      hub.cert,
      '--secret-file',
      secretFile,
      'flag_ew',
      'ops',
      'freeze',
      'enable',
    ]);
    assert.equal(update.code, 0, update.stderr);
    let value: unknown;
    for (let attempt = 0; attempt < 40 && value !== true; attempt++) {
      const read = await runCli(['read', '--node', member.url, '--secret-file', secretFile, 'flag_ew', 'ops', 'freeze']);
      assert.equal(read.code, 0, read.stderr);
      value = JSON.parse(read.stdout).value;
      if (value !== true) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(value, true);
  });

  it('a peer that does not trust the certificate stays disconnected, its status saying why', async () => {
    const hubNode = await tlsServe();
    servers.push(hubNode);
    const member = await MinidoteNode.open({
      dataDir: dataDir(),
      fsync: 'never',
      peers: [hubNode.url],
      peerTls: { ca: readFileSync(stranger.cert) },
    });
    nodes.push(member);
    await waitUntil(() => /not trusted/.test(member.status().peers[0]?.lastError ?? ''), {
      describe: () => JSON.stringify(member.status().peers),
    });
    assert.equal(member.status().peers[0].connected, false);
  });

  it('a client in this process connects to a wss:// node in this process with the CA', async () => {
    const node = await MinidoteNode.open({
      dataDir: dataDir(),
      fsync: 'never',
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: readFileSync(hub.cert), key: readFileSync(hub.key) },
    });
    nodes.push(node);
    assert.match(node.listenUrl ?? '', /^wss:/);
    const client = await MinidoteClient.connect(node.listenUrl as string, { tls: { ca: readFileSync(hub.cert) } });
    try {
      assert.equal(client.nodeId, node.id);
    } finally {
      client.close();
    }
  });
});
