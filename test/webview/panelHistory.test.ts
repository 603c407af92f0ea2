import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/panelSession';
import { Cluster, TestNode, key } from '../net/cluster';
import { waitUntil } from '../support/waitFor';
import { OUTPUT_DIR, PanelServer, buildWebview, launchChromium, openSessionPanel, pageErrors } from './browserHarness';

const theme = key('register_mv', 'config', 'theme');
const freeze = key('flag_ew', 'ops', 'deploy-freeze');

/** The only register card, in a selector plain DOM queries accept (no Playwright extensions). */
const themeCard = '.object-card[data-type="register_mv"]';
const card = (name: string) => `.object-card:has(> .object-head .object-key:text-is("${name}"))`;

/**
 * The history view against a real node whose log is known: Bob's three assigns and a flag flip
 * reach Alice over WebSocket, and the page asks Alice's node for the theme as of an older assign.
 */
describe("webview panel: an object's history and its value as of an older transaction (real node, real browser)", function () {
  this.timeout(60_000);
  const cluster = new Cluster();
  const server = new PanelServer();
  let browser: Browser;
  let alice: TestNode;
  let bob: TestNode;
  let session: PanelSession;
  let page: Page;

  before(async () => {
    await buildWebview();
    await server.start();
    browser = await launchChromium();
    alice = await cluster.start('alice', { displayName: 'Alice' });
    bob = await cluster.start('bob', { displayName: 'Bob', peers: [alice.url] });
    await waitUntil(() => alice.node.status().peers.some((p) => p.state === 'connected' && p.displayName === 'Bob'), {
      describe: () => 'alice never saw bob',
      subscribe: (wake) => {
        const s = alice.node.onPeersChanged(wake);
        return () => s.dispose();
      },
    });
    // The known log: bob:1 dark, bob:2 light, alice:1 enables the freeze, bob:3 solarized.
    await bob.node.update([{ ...theme, op: 'assign', args: ['dark'] }]);
    await bob.node.update([{ ...theme, op: 'assign', args: ['light'] }]);
    await cluster.converged([theme]);
    await alice.node.update([{ ...freeze, op: 'enable' }]);
    await cluster.converged([freeze]);
    await bob.node.update([{ ...theme, op: 'assign', args: ['solarized'] }]);
    await cluster.converged([theme, freeze]);

    ({ page, session } = await openSessionPanel(browser, server, alice.node));
  });

  after(async () => {
    session?.dispose();
    await browser?.close();
    await server.close();
    await cluster.closeAll();
  });

  it('shows on each card who changed the object last, by name', async () => {
    assert.match((await page.textContent(`${card('theme')} .last-change`)) ?? '', /^assigned "solarized" by Bob, /);
    assert.match((await page.textContent(`${card('deploy-freeze')} .last-change`)) ?? '', /^enabled by Alice, /);
  });

  it('lists the transactions that touched the object, newest first, with author, operation and clock', async () => {
    await page.click(`${card('theme')} > .object-head .object-key`);
    await page.waitForSelector(`${card('theme')} .history-entry`);
    const rows = await page.$$eval(`${card('theme')} .history-entry`, (lis) =>
      lis.map((li) => [
        li.querySelector('.replica-name')?.textContent,
        li.querySelector('.history-op')?.textContent,
        li.querySelector('.history-clock')?.textContent,
      ]),
    );
    assert.deepEqual(rows, [
      ['Bob', 'assigned "solarized"', 'alice:1 bob:3'],
      ['Bob', 'assigned "light"', 'bob:2'],
      ['Bob', 'assigned "dark"', 'bob:1'],
    ]);
    assert.equal(
      await page.textContent(`${card('theme')} .history-note`),
      '',
      'the log starts from the empty state: nothing is unavailable',
    );
  });

  it('shows the value as of an older transaction, replayed from the log, and the current one again', async () => {
    await page.click(`${card('theme')} .history-entry[data-origin="bob"][data-seq="2"]`);
    await page.waitForSelector(`${card('theme')} .history-value .as-of-value`);
    assert.equal(await page.textContent(`${card('theme')} .history-value .as-of-value`), 'light');
    assert.match((await page.textContent(`${card('theme')} .history-value`)) ?? '', /As of Bob's assigned "light" \(bob:2\)/);
    assert.match((await page.textContent(`${card('theme')} .object-value`)) ?? '', /solarized/, 'the card still shows the current value');

    await page.click(`${card('theme')} .history-entry[data-origin="bob"][data-seq="1"]`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'dark', `${themeCard} .history-value .as-of-value`);
    await page.screenshot({ path: join(OUTPUT_DIR, 'panel-history.png'), fullPage: true });
  });

  it('adds a new change at the top while the history is open', async () => {
    await bob.node.update([{ ...theme, op: 'assign', args: ['high-contrast'] }]);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === 'assigned "high-contrast"',
      `${themeCard} .history-entry:first-child .history-op`,
    );
    assert.equal(await page.locator(`${card('theme')} .history-entry`).count(), 4);
    assert.deepEqual(await pageErrors(page), []);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  });
});
