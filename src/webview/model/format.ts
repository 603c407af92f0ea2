import { Json, canonicalJson } from '../../core/json';

/** "just now", "42 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function relativeTime(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** An element or register value as one line: strings bare, anything else as canonical JSON. */
export function valueText(value: Json, max = 200): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A clock as `a:3 b:1`, entries in id order, zeros left out. */
export function clockText(clock: Readonly<Record<string, number>>): string {
  const parts = Object.keys(clock)
    .sort()
    .filter((id) => clock[id] !== 0)
    .map((id) => `${id}:${clock[id]}`);
  return parts.length ? parts.join(' ') : '∅';
}
