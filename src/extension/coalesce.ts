/**
 * Runs `action` once after a burst of triggers (e.g. a peer catching up delivers hundreds of
 * transactions in one go), so views redraw once per burst instead of once per event.
 */
export class Coalesced {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly action: () => void,
    private readonly delayMs = 50,
  ) {}

  trigger(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.action();
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
