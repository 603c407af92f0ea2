import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Report, renderMarkdown } from '../report';

/**
 * Re-renders bench/results.md from bench/results.json and bench/analysis.md, after the analysis
 * was edited, without running the workloads again: node --import tsx bench/tools/render.ts
 */
const bench = join(__dirname, '..');
const report = JSON.parse(readFileSync(join(bench, 'results.json'), 'utf8')) as Report;
writeFileSync(join(bench, 'results.md'), renderMarkdown(report, join(bench, 'analysis.md')));
console.log('rewrote bench/results.md');
