import { InvalidInputError, errorMessage } from '../core/errors';
import { ClientTls, ServerTls, readCaFile, readServerTls } from '../net/tls';
import { MinidoteNode } from '../node/minidoteNode';
import { parseFsyncPolicy } from '../storage';
import { ParsedArgs, parseInteger } from './args';
import { readSecretFile, weakSecretWarning } from './secretFile';

export const SERVE_OPTIONS = {
  data: { kind: 'value' },
  id: { kind: 'value' },
  host: { kind: 'value' },
  port: { kind: 'value' },
  peer: { kind: 'list' },
  'secret-file': { kind: 'value' },
  'tls-cert': { kind: 'value' },
  'tls-key': { kind: 'value' },
  'ca-file': { kind: 'value' },
  fsync: { kind: 'value' },
  'display-name': { kind: 'value' },
  help: { kind: 'flag' },
} as const;

/** --tls-cert and --tls-key, which go together. */
function serverTlsOf(args: ParsedArgs): ServerTls | undefined {
  const cert = args.values.get('tls-cert');
  const key = args.values.get('tls-key');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new InvalidInputError('--tls-cert and --tls-key go together');
  return readServerTls(cert, key);
}

/** Runs a node until SIGINT/SIGTERM, then closes it cleanly (log flushed, lock released). */
export async function runServe(args: ParsedArgs): Promise<void> {
  if (args.positionals.length > 0) throw new InvalidInputError(`serve takes no arguments, got "${args.positionals[0]}"`);
  const dataDir = args.values.get('data');
  if (dataDir === undefined) throw new InvalidInputError('serve needs --data DIR');
  const port = parseInteger(args.values.get('port') ?? '7878', '--port');
  if (port < 0 || port > 65535) throw new InvalidInputError(`--port must be between 0 and 65535, got ${port}`);
  const secretFile = args.values.get('secret-file');
  const fsync = args.values.get('fsync');
  let secret: string | undefined;
  if (secretFile !== undefined) {
    secret = readSecretFile(secretFile);
    // A weak secret still works (the CLI contract is unchanged), but the operator should know.
    const warning = weakSecretWarning(secret, secretFile);
    if (warning !== undefined) process.stderr.write(`[warn] ${warning}\n`);
  }
  const caFile = args.values.get('ca-file');
  const peerTls: ClientTls | undefined = caFile === undefined ? undefined : readCaFile(caFile);
  const node = await MinidoteNode.open({
    dataDir,
    id: args.values.get('id'),
    displayName: args.values.get('display-name'),
    fsync: fsync === undefined ? undefined : parseFsyncPolicy(fsync),
    listen: { host: args.values.get('host') ?? '127.0.0.1', port },
    peers: args.lists.get('peer') ?? [],
    secret,
    tls: serverTlsOf(args),
    peerTls,
    log: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  });
  // Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // Ctrl+C reaches the whole process group, so a wrapper may forward the same signal again.
      if (stopping) return;
      stopping = true;
      process.stderr.write(`[info] ${signal}: shutting down\n`);
      node.close().then(resolve, (error: unknown) => {
        process.stderr.write(`[error] shutdown: ${errorMessage(error)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write(`minidote ${node.id} listening on ${node.listenUrl}\n`);
  await stopped;
}
