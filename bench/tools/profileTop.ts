import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Prints the functions with the most self time in V8 .cpuprofile files (from `node --cpu-prof`, or
 * a bench run with MINIDOTE_BENCH_PROFILE=DIR), to find what bounds a workload.
 * Usage: node --import tsx bench/tools/profileTop.ts DIR|FILE... [--top N]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function files(args: string[]): string[] {
  return args.flatMap((arg) =>
    arg.endsWith('.cpuprofile')
      ? [arg]
      : readdirSync(arg)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(arg, f)),
  );
}

function top(path: string, count: number): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  console.log(`\n${path}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const count = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
const paths = topIndex >= 0 ? args.filter((_, i) => i !== topIndex && i !== topIndex + 1) : args;
for (const file of files(paths)) top(file, count);
