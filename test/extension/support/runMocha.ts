import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha'; // mocha@11: CommonJS, so it can run inside the extension host

/**
 * The `run` of an extensionTestsPath module: runs every *.test.js beside it and ends with a plain
 * "N passed, N failed" line, also written to $MINIDOTE_RESULTS_FILE (one JSON line), where
 * scripts/test-host.mjs adds up its phases. Rejecting makes the host exit non-zero.
 *
 * A suite in which no test ran fails: a renamed test file or a describe left empty must not look
 * like a green phase. `.only` fails the run too (forbidOnly), as in .mocharc.json.
 */
export function runSuite(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec', forbidOnly: true });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(dir, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = runner.stats?.passes ?? 0;
      console.log(`${passed} passed, ${failures} failed`);
      const results = process.env.MINIDOTE_RESULTS_FILE;
      if (results) appendFileSync(results, `${JSON.stringify({ passed, failed: failures })}\n`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else if (passed === 0) reject(new Error(`no extension-host test ran in ${dir} (test files found: ${files.length})`));
      else resolve();
    });
  });
}
