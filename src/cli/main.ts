import { ErrorKind, MinidoteError, errorMessage } from '../core/errors';
import { OptionSpecs, parseArgs } from './args';
import { CLIENT_OPTIONS, CLOCK_OPTIONS, UPDATE_OPTIONS, runRead, runStatus, runUpdate } from './clientCommands';
import { HELP } from './help';
import { SERVE_OPTIONS, runServe } from './serve';

/** The package version, set by the bundler (esbuild.js). */
declare const MINIDOTE_VERSION: string;

/** Exit codes of the CLI contract (docs/architecture.md, "CLI contract"). */
const EXIT_CODES: Record<ErrorKind, number> = { rejected: 1, invalid: 2, unavailable: 3, protocol: 3, storage: 3, unknown: 3 };

interface Command {
  readonly options: OptionSpecs;
  readonly run: (args: ReturnType<typeof parseArgs>) => Promise<string | void>;
}

const COMMANDS: Record<string, Command> = {
  serve: { options: SERVE_OPTIONS, run: runServe },
  update: { options: UPDATE_OPTIONS, run: runUpdate },
  read: { options: CLOCK_OPTIONS, run: runRead },
  status: { options: CLIENT_OPTIONS, run: runStatus },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${MINIDOTE_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`minidote: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, command.options);
    if (args.flags.has('help')) {
      process.stdout.write(`${HELP[name]}\n`);
      return 0;
    }
    const output = await command.run(args);
    if (typeof output === 'string') process.stdout.write(`${output}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`minidote ${name}: ${errorMessage(error)}\n`);
    return error instanceof MinidoteError ? EXIT_CODES[error.kind] : 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  // Stray timers (reconnects, close handshakes) must not keep a finished command alive, but output
  // to a pipe is written asynchronously: exit once both streams have flushed what was written.
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
