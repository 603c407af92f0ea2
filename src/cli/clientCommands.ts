import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors';
import { parseJsonText } from '../core/json';
import { ObjectKey, Update } from '../core/transaction';
import { VectorClock, parseClock } from '../core/vectorClock';
import { MinidoteClient } from '../net/client';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../net/messages';
import { parsePeerUrl } from '../net/peerUrl';
import { ClientTls, readCaFile } from '../net/tls';
import { ParsedArgs, parseInteger } from './args';
import { crdtType } from '../core/crdt/registry';
import { readSecretFile } from './secretFile';
import { checkObjectNames, updateFromWords, updatesFromBatch } from './operationArgs';

export const DEFAULT_NODE_URL = 'ws://127.0.0.1:7878';
export const CLIENT_OPTIONS = {
  node: { kind: 'value' },
  'secret-file': { kind: 'value' },
  'ca-file': { kind: 'value' },
  timeout: { kind: 'value' },
  help: { kind: 'flag' },
} as const;
export const CLOCK_OPTIONS = { ...CLIENT_OPTIONS, clock: { kind: 'value' } } as const;
export const UPDATE_OPTIONS = { ...CLOCK_OPTIONS, json: { kind: 'flag' }, batch: { kind: 'value' } } as const;

interface Session {
  readonly timeoutMs: number;
  readonly clock: VectorClock | undefined;
}

function sessionOf(args: ParsedArgs): Session {
  const timeout = args.values.get('timeout');
  const timeoutMs = timeout === undefined ? 10_000 : parseInteger(timeout, '--timeout');
  if (timeoutMs <= 0) throw new InvalidInputError('--timeout must be a positive number of milliseconds');
  const clockText = args.values.get('clock');
  const clock = clockText === undefined ? undefined : parseClock(parseJsonText(clockText, '--clock'));
  return { timeoutMs, clock };
}

/** Input is fully validated before connecting, so bad usage exits 2 even when no node is up. */
async function withClient<T>(args: ParsedArgs, session: Session, run: (client: MinidoteClient) => Promise<T>): Promise<T> {
  const secretFile = args.values.get('secret-file');
  const secret = secretFile === undefined ? undefined : readSecretFile(secretFile);
  const node = args.values.get('node') ?? DEFAULT_NODE_URL;
  const client = await MinidoteClient.connect(node, {
    secret,
    timeoutMs: session.timeoutMs,
    tls: trustOf(args, node),
  });
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

/** The CA given with --ca-file; it only makes sense for a wss:// node. */
function trustOf(args: ParsedArgs, node: string): ClientTls | undefined {
  const caFile = args.values.get('ca-file');
  if (caFile === undefined) return undefined;
  if (!parsePeerUrl(node).startsWith('wss:')) {
    throw new InvalidInputError(`--ca-file applies to wss:// addresses; the node is ${node}`);
  }
  return readCaFile(caFile);
}

function readBatch(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read the batch from ${source === '-' ? 'standard input' : source}: ${(error as Error).message}`);
  }
}

export async function runUpdate(args: ParsedArgs): Promise<string> {
  const session = sessionOf(args);
  const batch = args.values.get('batch');
  let updates: Update[];
  if (batch !== undefined) {
    if (args.positionals.length > 0) throw new InvalidInputError('--batch takes no TYPE BUCKET KEY OP arguments');
    updates = updatesFromBatch(readBatch(batch));
  } else {
    updates = [updateFromWords(args.positionals, args.flags.has('json'))];
  }
  const size = Buffer.byteLength(JSON.stringify(updates));
  if (size > DEFAULT_MAX_MESSAGE_BYTES) {
    throw new InvalidInputError(`the update is ${size} bytes, over the ${DEFAULT_MAX_MESSAGE_BYTES}-byte message limit; split it`);
  }
  const clock = await withClient(args, session, (client) => client.update(updates, session.clock, session.timeoutMs));
  return JSON.stringify(clock);
}

export async function runRead(args: ParsedArgs): Promise<string> {
  const session = sessionOf(args);
  if (args.positionals.length !== 3) throw new InvalidInputError('usage: minidote read [options] TYPE BUCKET KEY');
  const [typeName, bucket, key] = args.positionals;
  checkObjectNames(bucket, key);
  const objectKey: ObjectKey = { type: crdtType(typeName).name, bucket, key };
  const result = await withClient(args, session, (client) => client.read([objectKey], session.clock, session.timeoutMs));
  return JSON.stringify({ value: result.values[0], clock: result.clock });
}

export async function runStatus(args: ParsedArgs): Promise<string> {
  const session = sessionOf(args);
  if (args.positionals.length > 0) throw new InvalidInputError('usage: minidote status [options]');
  return JSON.stringify(await withClient(args, session, (client) => client.status()));
}
