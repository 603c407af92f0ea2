import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../support/tempDir';
// The judge is plain JavaScript so that scripts/test-host.mjs can import it without a build step.
// @ts-expect-error: an .mjs module without type declarations
import { judgePhase } from '../support/phaseResults.mjs';

const RUN_MOCHA = path.resolve(__dirname, '../support/runMocha.ts');

interface SuiteRun {
  /** Whether runSuite resolved (the extension host would report success). */
  ok: boolean;
  output: string;
  recorded: string;
}

/**
 * Runs runSuite (the in-host runner) in a child Node process, as the extension host would, on a
 * folder holding `files` (name → source), and reports what it returned and recorded.
 */
function runSuiteOn(files: Record<string, string>): Promise<SuiteRun> {
  const dir = tempDir('minidote-host-runner-');
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir.path, name), source);
  const results = path.join(dir.path, 'results.jsonl');
  const script = `require(${JSON.stringify(RUN_MOCHA)}).runSuite(process.argv[1]).then(
    () => process.exit(0),
    (error) => { console.log('rejected: ' + error.message); process.exit(1); })`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', '-e', script, dir.path],
      { env: { ...process.env, MINIDOTE_RESULTS_FILE: results } },
      (error, stdout, stderr) => {
        let recorded = '';
        try {
          recorded = readFileSync(results, 'utf8');
        } catch {
          // nothing recorded
        }
        dir.cleanup();
        resolve({ ok: error === null, output: stdout + stderr, recorded });
      },
    );
  });
}

const passing = "describe('a suite', () => { it('passes', () => {}); });";

describe('extension host runner (test/extension/support/runMocha.ts)', function () {
  this.timeout(60_000);

  it('resolves when tests ran and passed, recording the counts', async () => {
    const run = await runSuiteOn({ 'a.test.js': passing });
    assert.equal(run.ok, true, run.output);
    assert.deepEqual(JSON.parse(run.recorded), { passed: 1, failed: 0 });
  });

  it('fails a folder without test files', async () => {
    const run = await runSuiteOn({ 'index.js': '' });
    assert.equal(run.ok, false, run.output);
    assert.match(run.output, /rejected: no extension-host test ran .*test files found: 0/);
  });

  it('fails a suite in which no test ran', async () => {
    const run = await runSuiteOn({ 'a.test.js': "describe('an emptied suite', () => {});" });
    assert.equal(run.ok, false, run.output);
    assert.match(run.output, /rejected: no extension-host test ran/);
    assert.deepEqual(JSON.parse(run.recorded), { passed: 0, failed: 0 });
  });

  it('fails a suite that uses .only', async () => {
    const run = await runSuiteOn({ 'a.test.js': "describe('a suite', () => { it.only('passes', () => {}); it('skipped', () => {}); });" });
    assert.equal(run.ok, false, run.output);
    assert.match(run.output, /`\.only` forbidden/);
  });

  it('fails a suite with a failing test', async () => {
    const run = await runSuiteOn({ 'a.test.js': "describe('a suite', () => { it('fails', () => { throw new Error('no'); }); });" });
    assert.equal(run.ok, false, run.output);
    assert.deepEqual(JSON.parse(run.recorded), { passed: 0, failed: 1 });
  });
});

describe('judging a host phase (test/extension/support/phaseResults.mjs)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('minidote-phase-');
  });
  afterEach(() => dir.cleanup());

  const recorded = (...lines: object[]) => {
    const file = path.join(dir.path, 'results.jsonl');
    writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    return file;
  };

  it('passes a phase that succeeded with passing tests and no failure', () => {
    assert.deepEqual(judgePhase(recorded({ passed: 3, failed: 0 }, { passed: 2, failed: 0 }), true), { ok: true, passed: 5, failed: 0 });
  });

  it('fails a phase whose results file never appeared, saying so', () => {
    const outcome = judgePhase(path.join(dir.path, 'never-written.jsonl'), true);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.failed, 1);
    assert.match(outcome.problem, /recorded no results .*never-written\.jsonl was never written/);
  });

  it('fails a phase that reports success but ran no tests', () => {
    const outcome = judgePhase(recorded({ passed: 0, failed: 0 }), true);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.failed, 1);
    assert.equal(outcome.problem, 'it ran no tests');
  });

  it('fails a phase that recorded failures, even if its process exited 0', () => {
    assert.deepEqual(judgePhase(recorded({ passed: 4, failed: 2 }), true), { ok: false, passed: 4, failed: 2 });
  });

  it('counts one failure for a phase that crashed after recording only passes', () => {
    const outcome = judgePhase(recorded({ passed: 4, failed: 0 }), false);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.failed, 1);
    assert.match(outcome.problem, /crash or a timeout/);
  });
});
