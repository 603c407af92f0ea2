import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, MinidoteError, errorMessage } from '../core/errors';
import { validateReplicaId } from '../core/replica';
import { diskError, writeFileAtomically } from './files';
import { Damage, FORMAT_VERSION, checkHeader, numberedFiles } from './format';

const IDENTITY_FILE = 'replica.json';

/**
 * The replica id kept in the directory: transactions in the log and peers' clocks refer to it, so
 * it is generated once, persisted before anything is logged, and never silently replaced.
 */
export async function resolveReplicaId(dir: string, wanted: string | undefined): Promise<string> {
  if (wanted !== undefined) validateReplicaId(wanted);
  const stored = readStoredId(dir);
  if (stored !== undefined) {
    if (wanted !== undefined && wanted !== stored) {
      throw new InvalidInputError(
        `data directory ${dir} belongs to replica "${stored}", not "${wanted}": ` + `use id "${stored}" or another directory`,
      );
    }
    return stored;
  }
  if (wanted === undefined && (numberedFiles(dir, 'log').length > 0 || numberedFiles(dir, 'snap').length > 0)) {
    throw new MinidoteError(
      'storage',
      `data directory ${dir} holds a log but no ${IDENTITY_FILE}: pass the replica's original id explicitly`,
    );
  }
  const id = wanted ?? randomBytes(5).toString('hex');
  const content = { format: 'minidote-replica', version: FORMAT_VERSION, id };
  await writeFileAtomically(join(dir, IDENTITY_FILE), `${JSON.stringify(content)}\n`);
  return id;
}

function readStoredId(dir: string): string | undefined {
  const path = join(dir, IDENTITY_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw diskError(`could not read ${path}`, error);
  }
  try {
    const header = checkHeader(JSON.parse(text), 'minidote-replica', path);
    if (typeof header.id !== 'string') throw new Damage('no id');
    return validateReplicaId(header.id);
  } catch (error) {
    if (error instanceof MinidoteError && error.kind === 'storage') throw error;
    throw new MinidoteError(
      'storage',
      `${path} is damaged (${errorMessage(error)}): restore it from a backup, or write ` +
        `{"format":"minidote-replica","version":${FORMAT_VERSION},"id":"ID"} with the replica's id`,
    );
  }
}
