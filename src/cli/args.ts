import { InvalidInputError } from '../core/errors';

export interface OptionSpec {
  /** 'value' takes the next word; 'flag' takes none; 'list' takes a value and may repeat. */
  readonly kind: 'value' | 'flag' | 'list';
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/**
 * Options may come anywhere before `--`, which ends them: `read set_aw team on-call --timeout 5000`
 * works. Only words starting with `--` (and `-h`) are options, so `update counter_pn b k increment -7`
 * passes a negative number (docs/architecture.md, "CLI contract"); a positional word that starts with `--` goes
 * after `--`.
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      i++;
      break;
    }
    if (word === '-h') {
      flags.add('help');
      continue;
    }
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) throw new InvalidInputError(`unknown option --${name}`);
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new InvalidInputError(`option --${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = word.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new InvalidInputError(`option --${name} needs a value`);
      value = argv[++i];
    }
    if (spec.kind === 'list') lists.set(name, [...(lists.get(name) ?? []), value]);
    else if (values.has(name)) throw new InvalidInputError(`option --${name} was given twice`);
    else values.set(name, value);
  }
  return { values, lists, flags, positionals: [...positionals, ...argv.slice(i)] };
}

export function parseInteger(text: string, what: string): number {
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidInputError(`${what} must be an integer, got "${text}"`);
  }
  return Number(text);
}
