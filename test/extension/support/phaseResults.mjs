// How scripts/test-host.mjs judges one phase from what it recorded. A phase passes only when its
// process succeeded, its results file exists, at least one test passed and none failed: a phase
// that ran nothing (a renamed bundle, an empty suite, a UI script that never finished) is a failure
// with a reason, never a quiet "0 passed, 0 failed".
import { existsSync, readFileSync } from 'node:fs';

/**
 * @param {string} resultsFile the JSON-lines file the phase appends `{ passed, failed }` to
 * @param {boolean} exitedOk whether the phase's process reported success
 * @returns {{ ok: boolean, passed: number, failed: number, problem?: string }}
 */
export function judgePhase(resultsFile, exitedOk) {
  if (!existsSync(resultsFile)) {
    return { ok: false, passed: 0, failed: 1, problem: `it recorded no results (${resultsFile} was never written)` };
  }
  const lines = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean);
  let passed = 0;
  let failed = 0;
  for (const line of lines) {
    const counts = JSON.parse(line);
    passed += counts.passed;
    failed += counts.failed;
  }
  if (failed > 0) return { ok: false, passed, failed };
  if (!exitedOk) return { ok: false, passed, failed: 1, problem: 'it failed without recording a failing test (a crash or a timeout)' };
  if (passed === 0) return { ok: false, passed, failed: 1, problem: 'it ran no tests' };
  return { ok: true, passed, failed };
}
