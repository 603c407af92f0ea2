import { randomBytes } from 'node:crypto';
import { t } from '../localize';

/** Where the page's resources live, as URIs the webview may load (VS Code's `asWebviewUri`). */
export interface PanelResources {
  /** The webview's `cspSource`: the origin its resources are served from. */
  readonly cspSource: string;
  readonly script: string;
  readonly stylesheet: string;
  readonly codicons: string;
  /**
   * The editor's display language (`vscode.env.language`, e.g. "de"), as the page's `lang`: the page
   * formats dates and numbers for it. Default "en".
   */
  readonly language?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The panel's page. The Content Security Policy allows only this extension's own files and the one
 * script carrying this load's nonce; no inline script, no remote content. The codicon stylesheet
 * has the id @vscode-elements looks for, so its icons work inside shadow roots too.
 */
export function panelHtml(resources: PanelResources, nonce: string): string {
  const source = resources.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${source} data:`,
    `font-src ${source}`,
    `style-src ${source} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${attr(resources.language ?? 'en')}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${attr(resources.codicons)}" nonce="${attr(nonce)}">
  <link rel="stylesheet" href="${attr(resources.stylesheet)}" nonce="${attr(nonce)}">
  <title>${attr(t('Minidote: Replica State'))}</title>
</head>
<body>
  <div id="app"></div>
  <script nonce="${attr(nonce)}" src="${attr(resources.script)}"></script>
</body>
</html>
`;
}
