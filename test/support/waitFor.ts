/**
 * Waits until `condition` holds, re-checking whenever one of `events` fires (and on a slow tick as
 * a safety net). Fails with `describe()` so a convergence failure says what differed.
 */
export async function waitUntil(
  condition: () => boolean,
  options: { timeoutMs?: number; describe?: () => string; subscribe?: (wake: () => void) => () => void } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  if (condition()) return;
  await new Promise<void>((resolve, reject) => {
    let unsubscribe: () => void = () => undefined;
    const finish = (error?: Error) => {
      clearInterval(tick);
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (condition()) finish();
    };
    const tick = setInterval(check, 50);
    const timer = setTimeout(
      () => finish(new Error(`condition not met within ${timeoutMs} ms${options.describe ? `: ${options.describe()}` : ''}`)),
      timeoutMs,
    );
    if (options.subscribe) unsubscribe = options.subscribe(check);
  });
}
