import { operationSpec, crdtType, validateOperation } from '../core/crdt/registry';
import { InvalidInputError } from '../core/errors';
import { Json, MAX_JSON_DEPTH, parseJsonText } from '../core/json';
import { MAX_NAME_LENGTH, UpdateSchema, parseWith } from '../core/schemas';
import { Update } from '../core/transaction';
import { parseInteger } from './args';

/** Every JSON the user types goes through the bounded check: a deep value is bad input (exit 2), not a crash. */
function parseJsonArgument(text: string): Json {
  try {
    return parseJsonText(text, `argument ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`, MAX_JSON_DEPTH);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`${error.message} (drop --json to pass it as a string)`);
    throw error;
  }
}

/** Bucket and key names the node would refuse are bad input here already. */
export function checkObjectNames(bucket: string, key: string): void {
  for (const [what, name] of [
    ['bucket', bucket],
    ['key', key],
  ]) {
    if (name.length > MAX_NAME_LENGTH) throw new InvalidInputError(`the ${what} name is longer than ${MAX_NAME_LENGTH} characters`);
  }
}

/**
 * Turns `TYPE BUCKET KEY OP [ARG...]` into an update: counter amounts are integers, other
 * arguments strings unless `--json`. Checks everything the node would, so bad input exits 2 early.
 */
export function updateFromWords(words: readonly string[], json: boolean): Update {
  if (words.length < 4) throw new InvalidInputError('usage: minidote update [options] TYPE BUCKET KEY OP [ARG...]');
  const [typeName, bucket, key, op, ...rest] = words;
  const type = crdtType(typeName);
  checkObjectNames(bucket, key);
  const spec = operationSpec(type, op);
  const args: Json[] = rest.map((word) =>
    spec.args.kind === 'optionalInteger' ? parseInteger(word, `${type.name} ${op} amount`) : json ? parseJsonArgument(word) : word,
  );
  validateOperation(type, op, args);
  return { type: type.name, bucket, key, op, args };
}

/** Validates a `--batch` document: a JSON array of {type, bucket, key, op, args}, each as the node's wire checks it. */
export function updatesFromBatch(text: string): Update[] {
  const doc = parseJsonText(text, 'the batch');
  if (!Array.isArray(doc) || doc.length === 0) {
    throw new InvalidInputError('the batch must be a non-empty JSON array of {type, bucket, key, op, args}');
  }
  return doc.map((item: unknown, i) => {
    const where = `batch item ${i + 1}`;
    const { type, bucket, key, op, args = [] } = parseWith(UpdateSchema, item, where);
    try {
      validateOperation(crdtType(type), op, args);
    } catch (error) {
      throw new InvalidInputError(`${where}: ${(error as Error).message}`);
    }
    return { type, bucket, key, op, args };
  });
}
