export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly count: number;
  /** Extra rows drawn above and below, so fast scrolling does not flash blank rows. */
  readonly overscan: number;
}

export interface RowWindow {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/** Which rows of a fixed-height list are on screen: only those get DOM nodes. */
export function visibleRows({ scrollTop, viewportHeight, rowHeight, count, overscan }: WindowInput): RowWindow {
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, first + shown + overscan);
  return { start: Math.min(start, end), end };
}
