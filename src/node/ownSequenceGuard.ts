import { Emitter } from '../core/emitter';

interface Claim {
  readonly seq: number;
  until: number;
}

/** A standing claim: the highest sequence of ours that a peer says exists, and until when we believe it. */
export interface StandingClaim {
  readonly seq: number;
  readonly until: number;
}

/**
 * A replica restored from an old backup must not reuse sequence numbers its peers already know,
 * so a peer's handshake claim ("I have your transactions up to N") makes updates wait until those
 * come back. But a claim alone is only words: it is believed for `patienceMs` on our own clock,
 * renewed only when that link actually sends some of our transactions, so a peer that claims and
 * never delivers cannot block our writes for longer than that.
 */
export class OwnSequenceGuard {
  private readonly claims = new Map<object, Claim>();
  private readonly changes = new Emitter<void>();

  constructor(
    private readonly patienceMs: number,
    private readonly onExpired: (seq: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A peer's handshake said it knows our transactions up to `seq`. */
  claim(link: object, seq: number): void {
    this.claims.set(link, { seq, until: this.now() + this.patienceMs });
    this.changes.emit();
  }

  /** The link sent some of our own transactions: it is delivering, so its claim stands longer. */
  progressed(link: object): void {
    const claim = this.claims.get(link);
    if (claim) claim.until = this.now() + this.patienceMs;
  }

  withdraw(link: object): void {
    if (this.claims.delete(link)) this.changes.emit();
  }

  /** The highest claim beyond `ownSeq` still believed; claims met or expired are dropped. */
  standing(ownSeq: number): StandingClaim | undefined {
    const now = this.now();
    let best: StandingClaim | undefined;
    for (const [link, claim] of this.claims) {
      if (claim.seq <= ownSeq || claim.until <= now) {
        this.claims.delete(link);
        if (claim.seq > ownSeq) this.onExpired(claim.seq);
        continue;
      }
      if (!best || claim.seq > best.seq) best = { seq: claim.seq, until: claim.until };
    }
    return best;
  }

  /** Resolves when a claim is added or withdrawn, or when `signal` aborts. */
  nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const subscription = this.changes.on(() => {
        subscription.dispose();
        resolve();
      });
      signal.addEventListener(
        'abort',
        () => {
          subscription.dispose();
          resolve();
        },
        { once: true },
      );
    });
  }
}
