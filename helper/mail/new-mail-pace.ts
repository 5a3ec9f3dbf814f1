/**
 * Paces rounds of new mail. Mail can arrive in a burst (a mailing list's delivery, an import, a
 * server catching up): one round per EXISTS would pay each round's fixed cost (commands, a delta
 * to every client, a desktop notification) hundreds of times a minute. The first new mail after a
 * quiet time is handled at once; new mail within `paceMs` of the last round waits until `paceMs`
 * after it, and that round takes everything that came meanwhile.
 */
export class NewMailPace {
  private lastRound = -Infinity;

  constructor(private readonly paceMs: number) {}

  /** How long new mail noticed at `now` waits before its round (0: at once). */
  wait(now: number): number {
    return Math.max(0, this.lastRound + this.paceMs - now);
  }

  /** A round of new mail starts at `now`. */
  roundStarted(now: number): void {
    this.lastRound = now;
  }
}
