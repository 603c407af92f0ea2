// Lint rules, and the layer picture of docs/architecture.md ("Layers") as import boundaries:
// a dependency points downward only, `vscode` only in src/extension, the webview only sees core
// and its protocol.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['core', 'storage', 'net', 'node', 'cli', 'extension', 'webview'];
const forbid = (names, why) => ({
  group: names.flatMap((n) => [`../${n}`, `../${n}/*`, `../../${n}`, `../../${n}/*`, `../../../${n}/*`]),
  message: why,
});
const nodeIo = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'child_process',
  'node:child_process',
];

function boundary(files, { layers: banned = [], modules = [], why }) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...modules, 'vscode'].map((name) => ({ name, message: why })),
          patterns: banned.length > 0 ? [forbid(banned, why)] : [],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.vscode-test/**', 'node_modules/**', 'test-output/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        __dirname: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  boundary(['src/core/**'], {
    layers: layers.filter((l) => l !== 'core'),
    modules: ['ws', ...nodeIo],
    why: 'src/core is pure: it imports nothing from the other layers, ws, vscode or node I/O (docs/architecture.md, "Layers")',
  }),
  boundary(['src/storage/**'], {
    layers: ['net', 'node', 'cli', 'extension', 'webview'],
    modules: ['ws'],
    why: 'src/storage sits on core only (docs/architecture.md, "Layers")',
  }),
  boundary(['src/net/**'], {
    layers: ['storage', 'node', 'cli', 'extension', 'webview'],
    why: 'src/net sits on core only; storage and net never import each other (docs/architecture.md, "Layers")',
  }),
  boundary(['src/node/**'], {
    layers: ['cli', 'extension', 'webview'],
    why: 'src/node composes core, storage and net; nothing above it (docs/architecture.md, "Layers")',
  }),
  boundary(['src/cli/**'], {
    layers: ['extension', 'webview'],
    why: 'the CLI does not depend on the editor (docs/architecture.md, "Layers")',
  }),
  boundary(['src/webview/**'], {
    layers: ['storage', 'net', 'node', 'cli', 'extension'],
    modules: ['ws', ...nodeIo],
    why: 'the webview runs in a browser: it imports only core and its protocol (docs/architecture.md, "Layers")',
  }),
  boundary(['bench/**', 'test/**', 'scripts/**', 'esbuild.js'], { why: 'only src/extension and the in-host tests import vscode' }),
  { files: ['src/extension/**', 'test/extension/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['esbuild.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
