import { Emitter } from '../core/emitter';

/** Heartbeats a claiming peer gets to send our missing transactions before its claim is ignored. */
export const CLAIM_HEARTBEATS = 5;

interface Claim {
  readonly seq: number;
  beatsLeft: number;
}

/**
 * A replica restored from an old backup must not reuse sequence numbers its peers already know,
 * so a peer's handshake claim ("I have your transactions up to N") makes updates wait until those
 * come back. But a claim alone is only words: a peer that keeps claiming without sending anything
 * loses its claim after a few heartbeats, so it cannot block our writes for longer than that.
 */
export class OwnSequenceGuard {
  private readonly claims = new Map<object, Claim>();
  private readonly changes = new Emitter<void>();

  /** A peer's handshake said it knows our transactions up to `seq`. */
  claim(link: object, seq: number): void {
    this.claims.set(link, { seq, beatsLeft: CLAIM_HEARTBEATS });
    this.changes.emit();
  }

  /** The link made progress on our history (sent our transactions): its claim stands longer. */
  progressed(link: object): void {
    const claim = this.claims.get(link);
    if (claim) claim.beatsLeft = CLAIM_HEARTBEATS;
  }

  /** A heartbeat from the link; returns the claim it withdrew when its patience ran out. */
  heartbeat(link: object, ownSeq: number): number | undefined {
    const claim = this.claims.get(link);
    if (!claim) return undefined;
    if (claim.seq <= ownSeq) {
      this.withdraw(link);
      return undefined;
    }
    if (--claim.beatsLeft > 0) return undefined;
    this.withdraw(link);
    return claim.seq;
  }

  withdraw(link: object): void {
    if (this.claims.delete(link)) this.changes.emit();
  }

  /** The highest sequence of ours that a standing claim says exists; 0 when none. */
  highest(): number {
    let max = 0;
    for (const { seq } of this.claims.values()) max = Math.max(max, seq);
    return max;
  }

  /** Resolves when the standing claims change (one was withdrawn or added). */
  nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const subscription = this.changes.on(() => {
        subscription.dispose();
        resolve();
      });
      signal.addEventListener('abort', () => {
        subscription.dispose();
        resolve();
      }, { once: true });
    });
  }
}
