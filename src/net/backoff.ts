export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
  /**
   * How long a connection must stay up before the next failure counts as a first one again
   * (default STABLE_LINK_MS). A peer that accepts the handshake and then drops the link (a
   * poisoned link, an overloaded node) keeps the backoff growing instead of being redialed at once.
   */
  readonly stableAfterMs?: number;
}

export const STABLE_LINK_MS = 30_000;

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential up to a cap, with "equal jitter"
 * (half fixed, half random) so a restarted team does not reconnect in lockstep, yet never spins.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
