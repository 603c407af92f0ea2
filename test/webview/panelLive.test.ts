import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { PanelSession } from '../../src/extension/panel/panelSession';
import { Cluster, TestNode, key } from '../net/cluster';
import { waitUntil } from '../support/waitFor';
import { OUTPUT_DIR, PanelServer, buildWebview, launchChromium, openSessionPanel, pageErrors } from './browserHarness';

const freeze = key('flag_ew', 'ops', 'deploy-freeze');
const theme = key('register_mv', 'config', 'theme');
const cart = key('set_aw', 'shop', 'cart');
const requests = key('counter_pn_sb', 'ops', 'requests');

const card = (name: string) => `.object-card:has(> .object-head .object-key:text-is("${name}"))`;

function whenNode(entry: TestNode, condition: () => boolean, describe: string): Promise<void> {
  return waitUntil(condition, {
    describe: () => describe,
    subscribe: (wake) => {
      const subs = [entry.node.onDidChange(wake), entry.node.onPeersChanged(wake)];
      return () => subs.forEach((s) => s.dispose());
    },
  });
}

/**
 * The page and the host session together, with real nodes: what the panel shows comes from a
 * replica that replicates with two others over WebSocket on 127.0.0.1.
 */
describe('webview panel on a live replica (three nodes, real browser)', function () {
  this.timeout(60_000);
  const cluster = new Cluster();
  const server = new PanelServer();
  let browser: Browser;
  let alice: TestNode;
  let bob: TestNode;
  let carol: TestNode;
  let session: PanelSession;
  let page: Page;

  before(async () => {
    await buildWebview();
    await server.start();
    browser = await launchChromium();
    alice = await cluster.start('alice', { displayName: 'Alice' });
    bob = await cluster.start('bob', { displayName: 'Bob', peers: [alice.url] });
    carol = await cluster.start('carol', { displayName: 'Carol', peers: [alice.url] });
    await whenNode(
      alice,
      () => alice.node.status().peers.filter((p) => p.state === 'connected').length === 2,
      'alice never saw both peers',
    );

    await alice.node.update([{ ...freeze, op: 'enable' }]);
    await bob.node.update([{ ...cart, op: 'add_all', args: ['apples', 'bread', 'milk'] }]);
    await carol.node.update([{ ...requests, op: 'increment', args: [5] }]);
    // Both assign before either hears of the other: concurrent, so both values are kept.
    await Promise.all([
      alice.node.update([{ ...theme, op: 'assign', args: ['dark'] }]),
      bob.node.update([{ ...theme, op: 'assign', args: ['light'] }]),
    ]);
    await cluster.converged([freeze, theme, cart, requests]);

    ({ page, session } = await openSessionPanel(browser, server, alice.node));
  });

  after(async () => {
    session?.dispose();
    await browser?.close();
    await server.close();
    await cluster.closeAll();
  });

  it('shows the replicated objects, the peers with their clocks, and who did what', async () => {
    assert.equal(await page.textContent('.topbar h1'), 'Alice');
    assert.match((await page.textContent(`${card('theme')} .object-value`)) ?? '', /2 concurrent.*dark.*light/);
    assert.match((await page.textContent(`${card('cart')} .object-value`)) ?? '', /3 elements/);
    await page.waitForFunction(() => /2\/2 peers connected/.test(document.querySelector('.status-chips')?.textContent ?? ''));
    assert.deepEqual(await page.$$eval('.lane-label .replica-name', (els) => els.map((e) => e.textContent)), ['Alice', 'Bob', 'Carol']);
    assert.equal(await page.locator('.diagram-svg circle.node').count(), 5);
    assert.equal(await page.locator('.diagram-svg path.delivery').count(), 3);
    assert.ok((await page.locator('.diagram-svg rect.concurrent-band').count()) >= 1, 'the two assigns are drawn as concurrent');
    assert.match((await page.textContent('.storage-section')) ?? '', /Log records\s*5/);
  });

  it('names a replica known only through the hub: on bob, carol is "Carol" in the lanes and the clock table', async () => {
    await whenNode(bob, () => bob.node.displayNameOf('carol') === 'Carol', "bob never heard carol's name through alice");
    const { page: bobPage, session: bobSession } = await openSessionPanel(browser, server, bob.node);
    try {
      assert.deepEqual(
        bob.node.status().peers.map((p) => p.id),
        ['alice'],
        'bob is linked to alice only',
      );
      assert.deepEqual(await bobPage.$$eval('.lane-label .replica-name', (els) => els.map((e) => e.textContent)), [
        'Bob',
        'Alice',
        'Carol',
      ]);
      const carolRow = '.clock-table tbody th:has(.replica-name:text-is("Carol"))';
      assert.equal(await bobPage.getAttribute(carolRow, 'title'), 'carol · online through a peer');
      assert.deepEqual(await pageErrors(bobPage), []);
    } finally {
      bobSession.dispose();
      await bobPage.close();
    }
  });

  it('sends a click in the panel to the replica, and the peers receive it', async () => {
    await page.click(`${card('deploy-freeze')} vscode-checkbox`);
    await whenNode(bob, () => bob.node.replica.value(freeze) === false, 'bob never saw the flag turned off');
    await page.waitForSelector(`${card('deploy-freeze')} .flag-state.off`);

    await page.click(`${card('cart')} > .object-head .object-key`);
    await page.waitForSelector(`${card('cart')} .set-row .chip.tag`);
    await page.fill(`${card('cart')} .value-entry vscode-textfield input`, 'coffee');
    await page.press(`${card('cart')} .value-entry vscode-textfield input`, 'Enter');
    await whenNode(carol, () => (carol.node.replica.value(cart) as string[]).includes('coffee'), 'carol never got coffee');
  });

  it('shows what a peer does, live', async () => {
    await bob.node.update([{ ...requests, op: 'increment', args: [10] }]);
    await page.waitForFunction(
      () => document.querySelector('.object-card[data-type="counter_pn_sb"] .counter-value')?.textContent === '15',
    );
    await carol.node.update([{ ...theme, op: 'assign', args: ['solarized'] }]);
    await page.waitForFunction(() =>
      /solarized/.test(document.querySelector('.object-card[data-type="register_mv"] .object-value')?.textContent ?? ''),
    );
    await page.click(`${card('requests')} > .object-head .object-key`);
    await page.waitForSelector(`${card('requests')} table.counts`);
    assert.deepEqual(await page.$$eval(`${card('requests')} table.counts tbody tr`, (trs) => trs.map((tr) => tr.textContent)), [
      'bob10010',
      'carol505',
    ]);
    await page.waitForFunction(() => document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).length === 0);
    await page.screenshot({ path: join(OUTPUT_DIR, 'panel-live.png'), fullPage: true });
    assert.deepEqual(await pageErrors(page), []);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  });
});
