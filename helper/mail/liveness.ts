/**
 * Notices a link that died without a word (sleep, Wi-Fi change, half-open TCP). A tick runs every
 * `tickMs`; when the server has been quiet for `heartbeatMs` the session is asked to probe it, and
 * when the wall clock jumped far past the tick (the machine slept) it is asked at once.
 */
import type { Clock } from './clock';

export type ProbeReason = 'heartbeat' | 'clock-jump';

export interface LivenessOptions {
  clock: Clock;
  /** Quiet time after which the server is probed. Detection bound = heartbeatMs + tickMs + probe deadline. */
  heartbeatMs: number;
  tickMs: number;
  /** A tick arriving this much later than planned means the machine slept. */
  clockJumpMs: number;
  probe: (reason: ProbeReason) => void;
}

export class LivenessWatch {
  private lastAlive: number;
  private lastProbe = 0;
  private lastTick: number;
  private timer: unknown = null;

  constructor(private readonly opts: LivenessOptions) {
    this.lastAlive = this.lastTick = opts.clock.now();
  }

  /** The server answered: the link is alive now. */
  alive(): void {
    this.lastAlive = this.opts.clock.now();
  }

  get lastAliveAt(): number {
    return this.lastAlive;
  }

  start(): void {
    this.stop();
    this.lastAlive = this.lastTick = this.opts.clock.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => this.tick(), this.opts.tickMs);
  }

  private tick(): void {
    const now = this.opts.clock.now();
    const late = now - this.lastTick - this.opts.tickMs;
    this.lastTick = now;
    this.schedule();
    const reason: ProbeReason | null =
      late > this.opts.clockJumpMs
        ? 'clock-jump'
        : now - Math.max(this.lastAlive, this.lastProbe) >= this.opts.heartbeatMs
          ? 'heartbeat'
          : null;
    if (!reason) return;
    // One probe per quiet period: an unanswered probe ends the link by its own deadline.
    this.lastProbe = now;
    this.opts.probe(reason);
  }
}
