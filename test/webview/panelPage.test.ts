import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import {
  AddElementRequest,
  AssignRegisterRequest,
  ChangeCounterRequest,
  InspectRequest,
  PanelDelta,
  ReadyRequest,
  RemoveElementRequest,
  SetFlagRequest,
} from '../../src/webview/protocol';
import { MessageDispatcher, RequestMessage } from '../../src/webview/rpc';
import { OUTPUT_DIR, PanelServer, ScriptedHost, ThemeName, buildWebview, launchChromium, openPanel, pageErrors } from './browserHarness';
import { bigSet, counterDeploys, counterRequests, flagDeploy, registerTheme, sampleSnapshot, setBanned, setCart } from './fixtures';

/** The host's own validation: every request the page posts must pass it. */
const hostSchemas = new MessageDispatcher()
  .onRequest(ReadyRequest, () => null)
  .onRequest(InspectRequest, () => ({ internal: null }))
  .onRequest(SetFlagRequest, () => ({ clock: {} }))
  .onRequest(AddElementRequest, () => ({ clock: {} }))
  .onRequest(RemoveElementRequest, () => ({ clock: {} }))
  .onRequest(ChangeCounterRequest, () => ({ clock: {} }))
  .onRequest(AssignRegisterRequest, () => ({ clock: {} }));

async function acceptedByHost(request: RequestMessage): Promise<void> {
  const response = await hostSchemas.dispatch(request);
  assert.equal(response?.ok, true, `the host would refuse ${JSON.stringify(request)}: ${JSON.stringify(response)}`);
}

const INTERNALS: Record<string, unknown> = {
  theme: [
    { value: 'dark', tag: 'alice:11:0' },
    { value: 'light', tag: 'bob:7:0' },
  ],
  requests: { p: { alice: 20, bob: 5 }, n: { alice: 3, carol: 5 } },
  cart: [
    ['apples', ['alice:3:0', 'bob:2:1']],
    ['bread', ['carol:1:0']],
    ['milk', ['alice:9:0']],
  ],
  banned: { added: ['spam'], removed: ['eggs', 'ham'] },
  'deploy-freeze': ['alice:9:0', 'carol:4:0'],
  deploys: { '': 30, alice: 14, bob: -2 },
};

const card = (key: string) => `.object-card:has(> .object-head .object-key:text-is("${key}"))`;

describe('webview panel in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  const server = new PanelServer();
  const pages: Page[] = [];

  before(async () => {
    await buildWebview();
    await server.start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server.close();
  });

  afterEach(async () => {
    for (const page of pages.splice(0)) {
      assert.deepEqual(await pageErrors(page), [], 'uncaught errors in the page');
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'Content Security Policy violations');
      await page.close();
    }
  });

  /** Opens the page, answers its "ready" request with `snapshot`, and waits for the first render. */
  async function loaded(
    snapshot = sampleSnapshot(),
    options: Parameters<typeof openPanel>[2] = {},
  ): Promise<{ page: Page; host: ScriptedHost }> {
    const page = await openPanel(browser, server, options);
    pages.push(page);
    const host = new ScriptedHost(page);
    const ready = await host.next('panel/ready');
    await acceptedByHost(ready);
    await host.answer(ready, snapshot);
    await page.waitForSelector('.page:not([hidden])');
    return { page, host };
  }

  /** Opens an object's details and answers the inspect request it sends. */
  async function expand(page: Page, host: ScriptedHost, key: string): Promise<void> {
    await page.click(`${card(key)} > .object-head .object-key`);
    const inspect = await host.next('object/inspect');
    await acceptedByHost(inspect);
    assert.deepEqual((inspect.params as { watch: boolean }).watch, true);
    await host.answer(inspect, { internal: INTERNALS[key] });
  }

  /** The next request the page posts (validated like the host does) after answering it with `answer`. */
  async function expectRequest(
    host: ScriptedHost,
    method: string,
    params: unknown,
    answer: unknown = { clock: { alice: 13 } },
  ): Promise<void> {
    const request = await host.next(method);
    await acceptedByHost(request);
    assert.deepEqual(request.params, params);
    await host.answer(request, answer);
  }

  it('asks for its state under a strict Content Security Policy and shows every part of it', async () => {
    const { page } = await loaded();
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp ?? '', /default-src 'none'/);
    assert.match(csp ?? '', /script-src 'nonce-[^']+'/);
    assert.doesNotMatch(csp ?? '', /unsafe-inline|unsafe-eval/);

    assert.equal(await page.textContent('.topbar h1'), 'Alice (laptop)');
    assert.match((await page.textContent('.status-chips')) ?? '', /ws:\/\/127\.0\.0\.1:7878.*2\/3 peers connected.*alice:12 bob:7 carol:4/);
    assert.deepEqual(await page.$$eval('.bucket-name', (els) => els.map((e) => e.textContent)), ['config', 'ops', 'shop']);
    assert.equal(await page.locator('.object-card').count(), 7);
    assert.equal(await page.textContent(`${card('deploy-freeze')} .flag-state`), 'enabled');
    assert.equal(await page.$eval(`${card('deploy-freeze')} vscode-checkbox`, (el) => (el as HTMLInputElement).checked), true);
    assert.equal(await page.textContent(`${card('deploys')} .counter-value`), '42');
    assert.match((await page.textContent(`${card('theme')} .object-value`)) ?? '', /2 concurrent.*dark.*light/);

    // Vector clocks: Bob has a transaction of his we lack, and lacks one of Carol's that we have.
    const rows = await page.$$eval('.clock-table tbody tr', (trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('td')].map(
          (td) => `${td.textContent?.trim()}${td.classList.contains('cell-ahead') ? '▲' : td.classList.contains('cell-behind') ? '▼' : ''}`,
        ),
      ),
    );
    assert.deepEqual(rows, [
      ['12', '12', '12', '–'],
      ['7', '8▲', '7', '–'],
      ['4', '3▼', '4', '–'],
    ]);
    assert.deepEqual(await page.$$eval('.clock-table thead .relation', (els) => els.map((e) => e.textContent)), [
      'this replica',
      'diverged',
      'in sync',
      'no clock yet',
    ]);
    assert.match((await page.textContent('.clocks-section')) ?? '', /ECONNREFUSED 10\.0\.0\.9:7878/);

    // Causal buffer and storage.
    assert.match((await page.textContent('.buffer-section')) ?? '', /Carol #6.*waits for\s*Bob #8\s*Carol #5.*shop\/cart/);
    assert.match((await page.textContent('.storage-section')) ?? '', /1,234.*500 KiB.*1 h ago.*586 KiB/);

    // The diagram: a dot per transaction, an arrow per delivery from a peer, concurrency visible.
    assert.equal(await page.locator('.diagram-svg circle.node').count(), 7);
    assert.equal(await page.locator('.diagram-svg path.delivery').count(), 3);
    assert.ok((await page.locator('.diagram-svg rect.concurrent-band').count()) >= 1);
    assert.deepEqual(await page.$$eval('.lane-label .replica-name', (els) => els.map((e) => e.textContent)), [
      'Alice (laptop)',
      'Bob',
      'Carol',
    ]);
    await page.hover('circle.node[data-id="carol:4"]');
    assert.match(
      (await page.textContent('.diagram-tooltip')) ?? '',
      /Carol #4\s*carol.*ops\/deploy-freeze.*concurrent with 3 other transactions/,
    );
    assert.deepEqual(await page.$$eval('circle.node[data-rel="concurrent"]', (els) => els.map((e) => e.getAttribute('data-id')).sort()), [
      'alice:10',
      'bob:6',
      'bob:7',
    ]);
  });

  it('names every clock entry and lane by the names the node knows, also of replicas reached through a hub', async () => {
    const snapshot = sampleSnapshot();
    const { page, host } = await loaded({
      ...snapshot,
      clock: { ...snapshot.clock, dave: 2, zed: 1 },
      replicas: [...snapshot.replicas, { id: 'dave', displayName: 'Dave (desktop)', online: 'via-peer', lastSeen: null }],
      transactions: [...snapshot.transactions, { ...snapshot.transactions[0], origin: 'dave', clock: { dave: 2 }, local: false }],
    });
    const rowNames = () => page.$$eval('.clock-table tbody th', (ths) => ths.map((th) => [th.textContent, th.getAttribute('title')]));
    assert.deepEqual(await rowNames(), [
      ['Alice (laptop)', 'alice'],
      ['Bob', 'bob · connected'],
      ['Carol', 'carol · connected'],
      ['Dave (desktop)', 'dave · online through a peer'],
      ['zed', null],
    ]);
    assert.deepEqual(await page.$$eval('.lane-label .replica-name', (els) => els.map((e) => e.textContent)), [
      'Alice (laptop)',
      'Bob',
      'Carol',
      'Dave (desktop)',
    ]);

    // A name learned later (zed gossiped through the hub) reaches the table without any other change.
    await host.notify('state/delta', { replicas: [{ id: 'zed', displayName: 'Zed', online: 'offline', lastSeen: Date.now() - 120_000 }] });
    await page.waitForFunction(() => [...document.querySelectorAll('.clock-table tbody th')].some((th) => th.textContent === 'Zed'));
    assert.deepEqual((await rowNames()).slice(3), [
      ['dave', null],
      ['Zed', 'zed · offline, last seen 2 min ago'],
    ]);
  });

  it('turns clicks and typing into typed requests that pass the host validation', async () => {
    const { page, host } = await loaded();
    await page.click(`${card('maintenance')} vscode-checkbox`);
    await expectRequest(host, 'flag/set', { object: { bucket: 'ops', key: 'maintenance', type: 'flag_ew' }, enabled: true });
    await page.click(`${card('deploys')} .counter-inc`);
    await expectRequest(host, 'counter/change', {
      object: { bucket: 'ops', key: 'deploys', type: 'counter_pn' },
      op: 'increment',
      amount: 1,
    });
    await page.click(`${card('requests')} .counter-dec`);
    await expectRequest(host, 'counter/change', {
      object: { bucket: 'ops', key: 'requests', type: 'counter_pn_sb' },
      op: 'decrement',
      amount: 1,
    });

    await expand(page, host, 'requests');
    await page.fill(`${card('requests')} vscode-textfield.amount input`, '25');
    await page.click(`${card('requests')} vscode-button:has-text("Increment")`);
    await expectRequest(host, 'counter/change', {
      object: { bucket: 'ops', key: 'requests', type: 'counter_pn_sb' },
      op: 'increment',
      amount: 25,
    });

    const cartKey = { bucket: 'shop', key: 'cart', type: 'set_aw' };
    await expand(page, host, 'cart');
    await page.fill(`${card('cart')} .value-entry vscode-textfield input`, 'eggs');
    await page.press(`${card('cart')} .value-entry vscode-textfield input`, 'Enter');
    await expectRequest(host, 'set/add', { object: cartKey, element: 'eggs' });
    await page.click(`${card('cart')} .value-entry vscode-checkbox`);
    await page.fill(`${card('cart')} .value-entry vscode-textfield input`, '{"sku": 7, "qty": [1, 2]}');
    await page.click(`${card('cart')} .value-entry vscode-button`);
    await expectRequest(host, 'set/add', { object: cartKey, element: { sku: 7, qty: [1, 2] } });
    await page.hover(`${card('cart')} .set-row:has(code:text-is("bread"))`);
    await page.click(`${card('cart')} .set-row:has(code:text-is("bread")) .row-action`);
    await expectRequest(host, 'set/remove', { object: cartKey, element: 'bread' });

    await expand(page, host, 'theme');
    await page.fill(`${card('theme')} .value-entry vscode-textfield input`, 'solarized');
    await page.click(`${card('theme')} vscode-button:has-text("Assign")`);
    await expectRequest(host, 'register/assign', { object: { bucket: 'config', key: 'theme', type: 'register_mv' }, value: 'solarized' });

    // "New key": an object is created by its first update.
    await page.click('.new-key-button');
    await page.click('.new-key vscode-single-select');
    await page.click('.new-key vscode-single-select li[role="option"]:has-text("counter_pn — counter")');
    await page.fill('.new-key vscode-textfield[aria-label="Bucket"] input', 'ops');
    await page.fill('.new-key vscode-textfield[aria-label="Key"] input', 'errors');
    await page.fill('.new-key vscode-textfield[aria-label="First value"] input', '-3');
    await page.click('.new-key vscode-button:has-text("Create")');
    await expectRequest(host, 'counter/change', {
      object: { bucket: 'ops', key: 'errors', type: 'counter_pn' },
      op: 'decrement',
      amount: 3,
    });
    await page.waitForSelector('.new-key', { state: 'hidden' });
  });

  it('shows the host refusal next to the control that caused it', async () => {
    const { page, host } = await loaded();
    await expand(page, host, 'banned');
    await page.fill(`${card('banned')} .value-entry vscode-textfield input`, 'ham');
    await page.press(`${card('banned')} .value-entry vscode-textfield input`, 'Enter');
    const add = await host.next('set/add');
    await host.refuse(add, 'rejected', 'set_2p: "ham" was removed and can never be added again');
    await page.waitForSelector(`${card('banned')} .inline-error:not([hidden])`);
    assert.match((await page.textContent(`${card('banned')} .inline-error`)) ?? '', /"ham" was removed and can never be added again/);
    assert.equal(
      await page.inputValue(`${card('banned')} .value-entry vscode-textfield input`),
      'ham',
      'the typed value is kept to fix it',
    );

    // A refused toggle springs back to the flag's real value.
    await page.click(`${card('deploy-freeze')} vscode-checkbox`);
    await host.refuse(await host.next('flag/set'), 'unavailable', 'the replica is not open yet; try again in a moment');
    await page.waitForSelector(`${card('deploy-freeze')} .inline-error:not([hidden])`);
    assert.equal(await page.$eval(`${card('deploy-freeze')} vscode-checkbox`, (el) => (el as HTMLInputElement).checked), true);

    // The form explains what is missing before anything is sent.
    await page.click('.new-key-button');
    await page.fill('.new-key vscode-textfield[aria-label="Bucket"] input', '');
    await page.click('.new-key vscode-button:has-text("Create")');
    assert.equal(await page.textContent('.new-key .inline-error'), 'Enter a bucket');
  });

  it('applies a burst of notifications in a few animation frames, not one redraw each', async () => {
    const { page, host } = await loaded();
    const redraws = await page.evaluateHandle(() => {
      const counter = { batches: 0 };
      new MutationObserver(() => counter.batches++).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      return counter;
    });
    await page.evaluate(
      ({ bucket, key, count }) => {
        for (let i = 1; i <= count; i++) {
          const params = { objects: [{ bucket, key, type: 'counter_pn', value: i }], clock: { alice: 12 + i, bob: 7, carol: 4 } };
          window.postMessage({ kind: 'notification', method: 'state/delta', params }, '*');
        }
      },
      { bucket: counterDeploys.bucket, key: counterDeploys.key, count: 300 },
    );
    await page.waitForFunction(() => document.querySelector('.object-card[data-type="counter_pn"] .counter-value')?.textContent === '300');
    const batches = await redraws.evaluate((c) => c.batches);
    assert.ok(batches <= 20, `300 notifications caused ${batches} redraw batches`);
    assert.match((await page.textContent('.status-chips')) ?? '', /alice:312/);

    // Deltas add objects, append transactions to the diagram, and replace small parts.
    const delta: PanelDelta = {
      objects: [{ bucket: 'new', key: 'born', type: 'flag_ew', value: true }],
      transactions: [
        {
          origin: 'bob',
          clock: { alice: 312, bob: 8, carol: 4 },
          at: Date.now(),
          deliveredAt: Date.now(),
          local: false,
          keys: [{ bucket: 'new', key: 'born', type: 'flag_ew' }],
        },
      ],
      waiting: [],
      waitingTotal: 0,
    };
    await host.notify('state/delta', delta);
    await page.waitForSelector(card('born'));
    assert.equal(await page.locator('.diagram-svg circle.node').count(), 8);
    assert.match((await page.textContent('.buffer-section')) ?? '', /Nothing waiting/);
  });

  it('keeps a 10,000-element set responsive: a bounded window of rows, scrolling and filtering', async () => {
    const big = bigSet(10_000);
    const { page, host } = await loaded(sampleSnapshot([big, flagDeploy]));
    await page.click(`${card('members')} > .object-head .object-key`);
    const inspect = await host.next('object/inspect');
    const tags = (big.value as string[]).map((e, i) => [e, [`alice:${i + 1}:0`]]);
    await host.answer(inspect, { internal: tags });
    await page.waitForSelector(`${card('members')} .row-tags .chip`);

    const rows = `${card('members')} .vrow`;
    assert.ok((await page.locator(rows).count()) <= 30, 'only the rows in view are in the DOM');
    assert.ok((await page.evaluate(() => document.querySelectorAll('*').length)) < 1500, 'the whole page stays small');
    assert.equal(await page.textContent(`${card('members')} .set-info`), '10,000 elements');

    await page.$eval(`${card('members')} .vlist`, (el) => (el.scrollTop = el.scrollHeight));
    await page.waitForSelector(`${rows} code:text-is("e09999")`);
    assert.ok((await page.locator(rows).count()) <= 30);
    assert.match((await page.textContent(`${rows}:has(code:text-is("e09999"))`)) ?? '', /alice #10000/);

    await page.fill(`${card('members')} .set-filter input`, 'e0999');
    await page.waitForFunction(() => document.querySelector('.set-info')?.textContent === '10 of 10,000 elements match');
    // The rows follow on the next animation frame: poll for them, boundedly.
    for (let i = 0; i < 100 && (await page.locator(rows).count()) !== 10; i++) await page.waitForTimeout(20);
    assert.equal(await page.locator(rows).count(), 10);

    await host.notify('state/delta', { objects: [{ ...big, value: (big.value as string[]).slice(1), internal: tags.slice(1) }] });
    await page.waitForFunction(() => document.querySelector('.set-info')?.textContent === '10 of 9,999 elements match');
  });

  it('restores what was open, collapsed and filtered after a reload', async () => {
    const first = await loaded();
    await expand(first.page, first.host, 'cart');
    await first.page.click('.bucket-head:has(.bucket-name:text-is("config"))');
    await first.page.click('.clocks-section .section-head');
    await first.page.fill('.objects-section .toolbar vscode-textfield input', 'o');
    const saved = await first.page.evaluate(() => window.__state);

    const { page, host } = await loaded(sampleSnapshot(), { savedState: saved });
    const inspect = await host.next('object/inspect');
    assert.deepEqual(inspect.params, { object: { bucket: 'shop', key: 'cart', type: 'set_aw' }, watch: true });
    await host.answer(inspect, { internal: INTERNALS.cart });
    await page.waitForSelector(`${card('cart')}.open .set-row`);
    assert.equal(await page.inputValue('.objects-section .toolbar vscode-textfield input'), 'o');
    assert.equal(await page.isVisible(card('theme')), false, 'the config bucket stays collapsed');
    assert.equal(await page.isVisible('.clocks-section .clock-table'), false, 'the clocks section stays collapsed');
    assert.equal(await page.isVisible(card('cart')), true);
  });

  const themes: ThemeName[] = ['dark', 'light', 'high-contrast'];
  for (const theme of themes) {
    it(`takes its colors from the ${theme} theme (screenshot)`, async () => {
      const { page, host } = await loaded(sampleSnapshot(), { theme, viewport: { width: 1360, height: 900 } });
      for (const key of ['theme', 'deploy-freeze', 'requests', 'cart']) await expand(page, host, key);
      await page.waitForSelector(`${card('cart')} .row-tags .chip`);
      const colors = await page.evaluate(() => {
        const style = getComputedStyle(document.body);
        return { background: style.backgroundColor, color: style.color };
      });
      const expected = {
        dark: ['rgb(31, 31, 31)', 'rgb(204, 204, 204)'],
        light: ['rgb(255, 255, 255)', 'rgb(59, 59, 59)'],
        'high-contrast': ['rgb(0, 0, 0)', 'rgb(255, 255, 255)'],
      }[theme];
      assert.deepEqual([colors.background, colors.color], expected);
      if (theme === 'high-contrast') {
        assert.equal(await page.$eval('.card', (el) => getComputedStyle(el).borderTopColor), 'rgb(111, 195, 223)');
      }
      // Let the change highlight fade before the picture is taken.
      await page.waitForFunction(() => document.getAnimations().length === 0);
      await page.screenshot({ path: join(OUTPUT_DIR, theme === 'dark' ? 'panel.png' : `panel-${theme}.png`), fullPage: true });
    });
  }

  it('shows its internals for each type on demand', async () => {
    const { page, host } = await loaded(sampleSnapshot([flagDeploy, counterRequests, counterDeploys, setBanned, registerTheme, setCart]));
    await expand(page, host, 'deploy-freeze');
    await page.waitForSelector(`${card('deploy-freeze')} .chip.tag`);
    assert.deepEqual(await page.$$eval(`${card('deploy-freeze')} .chip.tag`, (els) => els.map((e) => e.textContent)), [
      'alice #9',
      'carol #4',
    ]);
    await expand(page, host, 'requests');
    await page.waitForSelector(`${card('requests')} table.counts`);
    assert.deepEqual(
      await page.$$eval(`${card('requests')} table.counts tbody tr`, (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td.num')].map((td) => td.textContent)),
      ),
      [
        ['20', '3', '17'],
        ['5', '0', '5'],
        ['0', '5', '-5'],
      ],
    );
    await expand(page, host, 'deploys');
    await page.waitForSelector(`${card('deploys')} table.contributions`);
    assert.deepEqual(
      await page.$$eval(`${card('deploys')} table.contributions tbody tr`, (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      ),
      [
        ['earlier total', '30'],
        ['alice', '14'],
        ['bob', '-2'],
      ],
    );
    await expand(page, host, 'banned');
    await page.waitForSelector(`${card('banned')} .set-row.removed`);
    assert.deepEqual(await page.$$eval(`${card('banned')} .set-row.removed code`, (els) => els.map((e) => e.textContent)), ['eggs', 'ham']);
    await expand(page, host, 'theme');
    await page.waitForSelector(`${card('theme')} .version`);
    assert.deepEqual(await page.$$eval(`${card('theme')} .version`, (els) => els.map((e) => e.textContent)), [
      'darkalice #11',
      'lightbob #7',
    ]);
    await expand(page, host, 'cart');
    await page.waitForSelector(`${card('cart')} .set-row .chip.tag`);
    assert.deepEqual(await page.$$eval(`${card('cart')} .set-row`, (els) => els.map((e) => e.textContent)), [
      'applesalice #3bob #2',
      'breadcarol #1',
      'milkalice #9',
    ]);

    // Closing the details stops the host from sending them.
    await page.click(`${card('cart')} > .object-head .object-key`);
    const stop = await host.next('object/inspect');
    assert.deepEqual(stop.params, { object: { bucket: 'shop', key: 'cart', type: 'set_aw' }, watch: false });
  });
});
