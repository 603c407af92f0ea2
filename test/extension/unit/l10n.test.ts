import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMessage } from '../../../src/extension/localize';

const root = path.resolve(__dirname, '../../..');
const bundlePath = path.join(root, 'l10n/bundle.l10n.json');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function unescape(literal: string): string {
  return literal.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Every message passed to `t(...)` in the extension's source, and the calls that pass no literal. */
function extract(): { messages: Set<string>; notLiteral: string[] } {
  const messages = new Set<string>();
  const notLiteral: string[] = [];
  for (const file of sources(path.join(root, 'src/extension'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?<![\w.])t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|([^'"\s]))/g)) {
      const literal = match[1] ?? match[2];
      if (literal !== undefined) messages.add(unescape(literal));
      else if (!/export function t\(/.test(text.slice(Math.max(0, (match.index ?? 0) - 16), (match.index ?? 0) + 2))) {
        notLiteral.push(`${path.relative(root, file)}: ${text.slice(match.index, (match.index ?? 0) + 40)}`);
      }
    }
  }
  return { messages, notLiteral };
}

describe('extension/localize', () => {
  it('formats {0}, {1}… with the arguments and leaves unknown placeholders', () => {
    assert.equal(formatMessage('{0} of {1} peers connected. {2}', 1, 2, 'Not listening.'), '1 of 2 peers connected. Not listening.');
    assert.equal(formatMessage('{1} before {0}', 'a', 'b'), 'b before a');
    assert.equal(formatMessage('missing {3}', 'a'), 'missing {3}');
    assert.equal(formatMessage('flag is {0}', false), 'flag is false');
  });

  // The English bundle is what translators start from (`l10n/bundle.l10n.<locale>.json` beside it).
  // After changing a message: MINIDOTE_WRITE_L10N=1 npx mocha test/extension/unit/l10n.test.ts
  it('passes only string literals to t(), and the English bundle lists exactly those messages', () => {
    const { messages, notLiteral } = extract();
    assert.deepEqual(notLiteral, [], 'messages must be string literals so that they can be extracted');
    const expected = Object.fromEntries([...messages].sort().map((m) => [m, m]));
    if (process.env.MINIDOTE_WRITE_L10N) writeFileSync(bundlePath, `${JSON.stringify(expected, null, 2)}\n`);
    const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as Record<string, string>;
    assert.deepEqual(bundle, expected, 'l10n/bundle.l10n.json is out of date (see the comment above this test)');
    assert.ok(messages.size > 100, `found only ${messages.size} messages`);
  });

  it('resolves every %key% of package.json from package.nls.json, and uses every key', () => {
    const manifest = readFileSync(path.join(root, 'package.json'), 'utf8');
    const nls = JSON.parse(readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const used = new Set([...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
    assert.deepEqual(
      [...used].filter((k) => !(k in nls)),
      [],
      'keys missing from package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
      'unused keys in package.nls.json',
    );
    for (const [key, text] of Object.entries(nls)) assert.ok(text.trim().length > 0, key);
  });
});
