// What the UI scripts (*.ui.mjs) share: named steps that end with mocha's closing line, running a
// command from the palette as a user does, the replica panel's page, bounded waits, screenshots.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Runs steps in order and stops at the first failure. `finish` prints the closing
 * "N passed, N failed" line, as a failure does; both also go to $MINIDOTE_RESULTS_FILE (one JSON
 * line), where scripts/test-host.mjs adds up its phases.
 */
export function steps(title) {
  console.log(title);
  let passed = 0;
  const close = (failed) => {
    console.log(`${passed} passed, ${failed} failed`);
    if (process.env.MINIDOTE_RESULTS_FILE) appendFileSync(process.env.MINIDOTE_RESULTS_FILE, `${JSON.stringify({ passed, failed })}\n`);
  };
  return {
    async step(name, action) {
      try {
        await action();
      } catch (error) {
        console.log(`  ✘ ${name}`);
        close(1);
        throw error;
      }
      passed++;
      console.log(`  ✔ ${name}`);
    },
    finish: () => close(0),
  };
}

/** The workbench's quick input (palette, quick picks, input boxes). */
export function quickInput(page) {
  const widget = page.locator('.quick-input-widget');
  return { widget, input: widget.locator('input.input'), rows: widget.locator('.quick-input-list .monaco-list-row') };
}

/** A pattern matching exactly `text` (for hasText, which otherwise matches any substring). */
export function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * F1, the command's title, Enter once the highlighted row is that very command (not another whose
 * title contains it); retried while the extension is still registering commands, and when the
 * palette closed again at once (a panel that was just shown can take the focus from it).
 */
export async function runCommand(page, title) {
  const { input, rows } = quickInput(page);
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await rows
        .and(page.locator('.focused'))
        .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
        .waitFor({ timeout: 2000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  throw new Error(`"${title}" is not in the command palette`);
}

/** "Minidote: Connect to Peer" from the palette with `url`, until the status bar counts one peer. */
export async function connectPeer(page, url) {
  await runCommand(page, 'Minidote: Connect to Peer');
  const { widget, input } = quickInput(page);
  await widget.getByText('WebSocket URL of a peer').waitFor();
  await input.fill(url);
  await page.keyboard.press('Enter');
  await page.locator('.statusbar-item', { hasText: 'Minidote: 1 peer' }).first().waitFor();
}

/** Waits until the workbench shows the extension's status bar item with `text`. */
export async function workbenchReady(page, text) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: text }).first().waitFor({ timeout: 30_000 });
}

/** The page inside the "Minidote: Replica State" webview (the webview's outer frame holds it). */
export function replicaPanel(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Re-checks `condition` (which may throw: not yet) every 100 ms until it holds, for at most `timeoutMs`. */
export async function eventually(condition, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      last = ` (last error: ${error instanceof Error ? error.message : error})`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Saves a screenshot of the whole window as NAME in $MINIDOTE_SCREENSHOT_DIR (default test-output/). */
export async function screenshot(page, name) {
  const dir = path.resolve(process.env.MINIDOTE_SCREENSHOT_DIR ?? 'test-output');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await page.screenshot({ path: file });
  console.log(`  screenshot: ${file}`);
  return file;
}
