/**
 * A global cap on how fast pairing codes are checked, for every connection together: a token
 * bucket that makes a guess wait for its turn instead of refusing it. Refusing (or cancelling the
 * code after so many wrong guesses) would let anyone who can reach loopback lock the real user
 * out; waiting only slows everyone down a little, and the right code still goes through.
 *
 * The caller checks guesses one at a time (PairingCodes runs redeem() in a queue), so waiting
 * guesses are served in the order they came, and each connection has at most one in the queue:
 * with N other connections guessing, the user's guess waits about N / ratePerSecond.
 */

export interface GuessGateOptions {
  ratePerSecond: number;
  /** Guesses allowed at once after a quiet spell. */
  burst: number;
  now: () => number;
  /** Resolves after `ms` (a timer; tests pass one that moves their clock). */
  wait: (ms: number) => Promise<void>;
}

export class GuessGate {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly options: GuessGateOptions) {
    this.tokens = options.burst;
    this.updatedAt = options.now();
  }

  /** The most guesses that can be checked within `ms`, whatever the number of guessers. */
  static mostGuessesWithin(options: Pick<GuessGateOptions, 'ratePerSecond' | 'burst'>, ms: number): number {
    return options.burst + Math.floor((options.ratePerSecond * ms) / 1000);
  }

  /** Resolves when one more guess may be checked. Call it for one guess at a time. */
  async take(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await this.options.wait(Math.ceil(((1 - this.tokens) * 1000) / this.options.ratePerSecond));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.options.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
  }
}
