/**
 * Runs the panel page in real Chromium: builds the webview bundle, serves it from 127.0.0.1 with
 * the same HTML (and Content Security Policy) the extension produces, and stands in for
 * `acquireVsCodeApi` so a test can see every posted message and play the host.
 */
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel/panelHtml';
import { PanelNode, PanelSession } from '../../src/extension/panel/panelSession';
import { ProtocolMessage, RequestMessage } from '../../src/webview/rpc';

const ROOT = resolve(__dirname, '../..');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'webview');
const BUILD_DIR = join(OUTPUT_DIR, 'build');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Builds the webview entry as the extension build does (browser iife) and copies the codicons next to it. */
export async function buildWebview(): Promise<void> {
  mkdirSync(join(BUILD_DIR, 'codicons'), { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/webview/main.ts')],
    outfile: join(BUILD_DIR, 'webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
  });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    copyFileSync(join(ROOT, 'node_modules/@vscode/codicons/dist', file), join(BUILD_DIR, 'codicons', file));
  }
}

const FILES: Record<string, { path: string; type: string }> = {
  '/dist/webview.js': { path: join(BUILD_DIR, 'webview.js'), type: 'text/javascript' },
  '/dist/codicons/codicon.css': { path: join(BUILD_DIR, 'codicons/codicon.css'), type: 'text/css' },
  '/dist/codicons/codicon.ttf': { path: join(BUILD_DIR, 'codicons/codicon.ttf'), type: 'font/ttf' },
  '/media/panel.css': { path: join(ROOT, 'media/panel.css'), type: 'text/css' },
};

/** Serves the panel page and its resources; each page load gets a fresh nonce, as in VS Code. */
export class PanelServer {
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    let loads = 0;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          panelHtml(
            {
              cspSource: this.origin,
              script: `${this.origin}/dist/webview.js`,
              stylesheet: `${this.origin}/media/panel.css`,
              codicons: `${this.origin}/dist/codicons/codicon.css`,
            },
            `test-nonce-${++loads}`,
          ),
        );
        return;
      }
      const file = FILES[path];
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file.type });
      res.end(readFileSync(file.path));
    });
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export type ThemeName = 'dark' | 'light' | 'high-contrast';

/** A few of the variables VS Code sets on a webview's root, with its default themes' values. */
const THEMES: Record<ThemeName, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'settings-textInputBackground': '#313131',
      'settings-textInputForeground': '#cccccc',
      'settings-textInputBorder': '#3c3c3c',
      'settings-dropdownBackground': '#313131',
      'settings-dropdownForeground': '#cccccc',
      'settings-dropdownBorder': '#3c3c3c',
      'settings-checkboxBackground': '#313131',
      'settings-checkboxForeground': '#cccccc',
      'settings-checkboxBorder': '#3c3c3c',
      'list-activeSelectionBackground': '#04395e',
      'list-activeSelectionForeground': '#ffffff',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      'font-size': '13px',
      'editor-font-family': '"DejaVu Sans Mono", monospace',
      foreground: '#cccccc',
      descriptionForeground: '#9d9d9d',
      'editor-background': '#1f1f1f',
      'widget-border': '#313131',
      focusBorder: '#0078d4',
      'list-hoverBackground': '#2a2d2e',
      'badge-background': '#616161',
      'badge-foreground': '#f8f8f8',
      'button-background': '#0078d4',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#026ec1',
      'button-secondaryBackground': '#313131',
      'button-secondaryForeground': '#cccccc',
      'input-background': '#313131',
      'input-foreground': '#cccccc',
      'input-border': '#3c3c3c',
      'input-placeholderForeground': '#989898',
      'checkbox-background': '#313131',
      'checkbox-border': '#3c3c3c',
      'dropdown-background': '#313131',
      'dropdown-border': '#3c3c3c',
      'dropdown-foreground': '#cccccc',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
      'charts-orange': '#d18616',
      'charts-purple': '#b180d7',
      'charts-red': '#f14c4c',
      'charts-yellow': '#cca700',
      'terminal-ansiCyan': '#11a8cd',
      'terminal-ansiMagenta': '#bc3fbc',
      'testing-iconPassed': '#73c991',
      'editorWarning-foreground': '#cca700',
      errorForeground: '#f85149',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'textCodeBlock-background': '#2b2b2b',
      'icon-foreground': '#cccccc',
      'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
      'editorHoverWidget-background': '#202020',
      'editorHoverWidget-border': '#454545',
      'progressBar-background': '#0078d4',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'settings-textInputBackground': '#ffffff',
      'settings-textInputForeground': '#3b3b3b',
      'settings-textInputBorder': '#cecece',
      'settings-dropdownBackground': '#ffffff',
      'settings-dropdownForeground': '#3b3b3b',
      'settings-dropdownBorder': '#cecece',
      'settings-checkboxBackground': '#f8f8f8',
      'settings-checkboxForeground': '#3b3b3b',
      'settings-checkboxBorder': '#cecece',
      'list-activeSelectionBackground': '#e8e8e8',
      'list-activeSelectionForeground': '#000000',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      'font-size': '13px',
      'editor-font-family': '"DejaVu Sans Mono", monospace',
      foreground: '#3b3b3b',
      descriptionForeground: '#717171',
      'editor-background': '#ffffff',
      'widget-border': '#e5e5e5',
      focusBorder: '#005fb8',
      'list-hoverBackground': '#f2f2f2',
      'badge-background': '#cccccc',
      'badge-foreground': '#3b3b3b',
      'button-background': '#005fb8',
      'button-foreground': '#ffffff',
      'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b',
      'input-background': '#ffffff',
      'input-foreground': '#3b3b3b',
      'input-border': '#cecece',
      'checkbox-background': '#f8f8f8',
      'checkbox-border': '#cecece',
      'dropdown-background': '#ffffff',
      'dropdown-border': '#cecece',
      'dropdown-foreground': '#3b3b3b',
      'charts-blue': '#1a85ff',
      'charts-green': '#388a34',
      'charts-orange': '#d18616',
      'charts-purple': '#652d90',
      'charts-red': '#e51400',
      'charts-yellow': '#bf8803',
      'terminal-ansiCyan': '#0598bc',
      'terminal-ansiMagenta': '#bc05bc',
      'testing-iconPassed': '#388a34',
      'editorWarning-foreground': '#bf8803',
      errorForeground: '#f85149',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'textCodeBlock-background': '#f3f3f3',
      'icon-foreground': '#3b3b3b',
      'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
      'editorHoverWidget-background': '#f8f8f8',
      'editorHoverWidget-border': '#c8c8c8',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'settings-textInputBackground': '#000000',
      'settings-textInputForeground': '#ffffff',
      'settings-textInputBorder': '#6fc3df',
      'settings-dropdownBackground': '#000000',
      'settings-dropdownForeground': '#ffffff',
      'settings-dropdownBorder': '#6fc3df',
      'settings-checkboxBackground': '#000000',
      'settings-checkboxForeground': '#ffffff',
      'settings-checkboxBorder': '#6fc3df',
      'list-activeSelectionBackground': '#000000',
      'list-activeSelectionForeground': '#ffffff',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      'font-size': '13px',
      'editor-font-family': '"DejaVu Sans Mono", monospace',
      foreground: '#ffffff',
      descriptionForeground: 'rgba(255, 255, 255, 0.7)',
      'editor-background': '#000000',
      contrastBorder: '#6fc3df',
      contrastActiveBorder: '#f38518',
      focusBorder: '#f38518',
      'badge-background': '#000000',
      'badge-foreground': '#ffffff',
      'button-background': '#000000',
      'button-foreground': '#ffffff',
      'button-border': '#6fc3df',
      'input-background': '#000000',
      'input-foreground': '#ffffff',
      'input-border': '#6fc3df',
      'checkbox-background': '#000000',
      'checkbox-border': '#6fc3df',
      'dropdown-background': '#000000',
      'dropdown-border': '#6fc3df',
      'charts-blue': '#3794ff',
      'charts-green': '#89d185',
      'charts-orange': '#d18616',
      'charts-purple': '#b180d7',
      'charts-red': '#f14c4c',
      'charts-yellow': '#cca700',
      'testing-iconPassed': '#73c991',
      'editorWarning-foreground': '#ffd370',
      errorForeground: '#f48771',
      'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#f38518',
      'icon-foreground': '#ffffff',
    },
  },
};

export interface OpenOptions {
  readonly theme?: ThemeName;
  /** What `getState()` returns, as after a reload. */
  readonly savedState?: unknown;
  /** Bridges the page to a real host: called before the page loads, returns the receiver of its messages. */
  readonly connect?: (page: Page) => (message: unknown) => void;
  readonly viewport?: { width: number; height: number };
}

declare global {
  interface Window {
    __posted: ProtocolMessage[];
    __state: unknown;
    __cspViolations: string[];
    __toHost?: (message: unknown) => void;
  }
}

/** Opens the panel page with a stand-in for the VS Code webview API and a VS Code theme. */
export async function openPanel(browser: Browser, server: PanelServer, options: OpenOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1360, height: 1000 } });
  if (options.connect) await page.exposeFunction('__toHost', options.connect(page));
  const theme = THEMES[options.theme ?? 'dark'];
  // A string, not a function: the test runner's transpiler would add helpers the page lacks.
  await page.addInitScript(`(() => {
    const options = ${JSON.stringify({ savedState: options.savedState ?? null, vars: theme.vars, bodyClass: theme.bodyClass })};
    window.__posted = [];
    window.__state = options.savedState;
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    document.addEventListener('DOMContentLoaded', () => {
      for (const [name, value] of Object.entries(options.vars)) document.documentElement.style.setProperty('--vscode-' + name, value);
      document.body.classList.add(options.bodyClass);
    });
    window.acquireVsCodeApi = () => ({
      postMessage(message) {
        window.__posted.push(message);
        if (window.__toHost) window.__toHost(message);
      },
      getState() { return window.__state; },
      setState(state) { window.__state = state; },
    });
  })();`);
  await page.goto(`${server.origin}/`);
  return page;
}

export async function pageErrors(page: Page): Promise<string[]> {
  return (await page.pageErrors()).map((error) => error.message);
}

/** Sends a message to the page as the host would (the webview receives it as a window message). */
export async function toPage(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export async function posted(page: Page): Promise<ProtocolMessage[]> {
  return page.evaluate(() => window.__posted);
}

/**
 * Waits for the next request with `method` not yet handled by this test (requests are handled in
 * order of posting) and returns it.
 */
export class ScriptedHost {
  private readonly handled = new Set<number>();

  constructor(private readonly page: Page) {}

  async next(method: string): Promise<RequestMessage> {
    const handled = [...this.handled];
    const handle = await this.page.waitForFunction(
      ({ method, handled }) => window.__posted.find((m) => m.kind === 'request' && m.method === method && !handled.includes(m.id)),
      { method, handled },
      { timeout: 10_000 },
    );
    const request = (await handle.jsonValue()) as RequestMessage;
    this.handled.add(request.id);
    return request;
  }

  async answer(request: RequestMessage, result: unknown): Promise<void> {
    await toPage(this.page, { kind: 'response', id: request.id, ok: true, result });
  }

  async refuse(request: RequestMessage, kind: string, message: string): Promise<void> {
    await toPage(this.page, { kind: 'response', id: request.id, ok: false, error: { kind, message } });
  }

  async notify(method: string, params: unknown): Promise<void> {
    await toPage(this.page, { kind: 'notification', method, params });
  }
}

/**
 * The panel page wired to a real PanelSession on `node`, as the extension wires a webview to it;
 * resolves once the page shows the node's state. Dispose the session and close the page after.
 */
export async function openSessionPanel(
  browser: Browser,
  server: PanelServer,
  node: PanelNode,
): Promise<{ page: Page; session: PanelSession }> {
  let session: PanelSession | undefined;
  const page = await openPanel(browser, server, {
    connect: (target) => {
      session = new PanelSession((message) => void target.evaluate((m) => window.postMessage(m, '*'), message), node);
      return (message) => void session?.receive(message);
    },
  });
  await page.waitForSelector('.page:not([hidden])');
  if (!session) throw new Error('the panel page never connected to its session');
  return { page, session };
}
