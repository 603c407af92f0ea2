import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args';
import { CLOCK_OPTIONS, UPDATE_OPTIONS } from '../../src/cli/clientCommands';
import { InvalidInputError } from '../../src/core/errors';

describe('cli: parseArgs', () => {
  it('takes options after the positional arguments', () => {
    const args = parseArgs(['set_aw', 'team', 'on-call', '--timeout', '5000', '--node=ws://127.0.0.1:1'], CLOCK_OPTIONS);
    assert.deepEqual(args.positionals, ['set_aw', 'team', 'on-call']);
    assert.equal(args.values.get('timeout'), '5000');
    assert.equal(args.values.get('node'), 'ws://127.0.0.1:1');
  });

  it('takes options between positional arguments', () => {
    const args = parseArgs(['--json', 'set_aw', 'b', '--clock', '{}', 'k', 'add', '{"a":1}'], UPDATE_OPTIONS);
    assert.deepEqual(args.positionals, ['set_aw', 'b', 'k', 'add', '{"a":1}']);
    assert.equal(args.flags.has('json'), true);
    assert.equal(args.values.get('clock'), '{}');
  });

  it('keeps a negative amount as a positional argument', () => {
    const args = parseArgs(['counter_pn', 'b', 'k', 'increment', '-7', '--timeout', '10'], UPDATE_OPTIONS);
    assert.deepEqual(args.positionals, ['counter_pn', 'b', 'k', 'increment', '-7']);
  });

  it('passes words after -- as positional arguments, even when they look like options', () => {
    const args = parseArgs(['set_aw', 'b', 'k', 'add', '--', '--timeout'], UPDATE_OPTIONS);
    assert.deepEqual(args.positionals, ['set_aw', 'b', 'k', 'add', '--timeout']);
    assert.equal(args.values.has('timeout'), false);
  });

  it('refuses an unknown option wherever it is', () => {
    assert.throws(() => parseArgs(['flag_ew', 'b', 'k', '--bogus'], CLOCK_OPTIONS), InvalidInputError);
    assert.throws(() => parseArgs(['flag_ew', 'b', 'k', '--timeout'], CLOCK_OPTIONS), /needs a value/);
    assert.throws(() => parseArgs(['--timeout', '1', 'flag_ew', '--timeout', '2'], CLOCK_OPTIONS), /given twice/);
  });
});
