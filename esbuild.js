// Bundles the three entry points into dist/: the extension host module, the CLI and the webview script.
const esbuild = require('esbuild');
const fs = require('node:fs');

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'bufferutil', 'utf-8-validate'],
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    // `minidote --version` without bundling the whole manifest.
    define: { MINIDOTE_VERSION: JSON.stringify(require('./package.json').version) },
    external: ['bufferutil', 'utf-8-validate'],
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: !watch,
    plugins: [copyCodicons()],
  },
];

/** The panel may load only media/ and dist/, so the codicon font and stylesheet are copied next to its script. */
function copyCodicons() {
  return {
    name: 'copy-codicons',
    setup(build) {
      build.onEnd(() => {
        fs.mkdirSync('dist/codicons', { recursive: true });
        for (const file of ['codicon.css', 'codicon.ttf']) {
          fs.copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);
        }
      });
    },
  };
}

async function main() {
  const present = builds.filter((b) => fs.existsSync(b.entryPoints[0]));
  if (watch) {
    for (const b of present) await (await esbuild.context(b)).watch();
    return;
  }
  await Promise.all(present.map((b) => esbuild.build(b)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
