/**
 * Refusals are written by whoever can reach loopback, as often as they like: a line each would
 * let a local process fill the disk through the helper's log. Each kind of refusal is logged in
 * full the first few times in a window; the rest are only counted, and the count is logged once
 * when the window ends (or when the helper stops).
 */
import type { Logger } from 'pino';

export interface RefusalLogOptions {
  /** Lines logged in full per kind and window. */
  perWindow?: number;
  windowMs?: number;
  now?: () => number;
}

interface Window {
  startedAt: number;
  logged: number;
  suppressed: number;
  msg: string;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    options: RefusalLogOptions = {},
  ) {
    this.perWindow = options.perWindow ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** `kind` groups refusals that are summarised together; `msg` is the line's message. */
  note(kind: string, msg: string, fields: Record<string, unknown>): void {
    const now = this.now();
    let window = this.windows.get(kind);
    if (window && now - window.startedAt >= this.windowMs) {
      this.summarise(window);
      window = undefined;
    }
    if (!window) {
      window = { startedAt: now, logged: 0, suppressed: 0, msg };
      this.windows.set(kind, window);
    }
    if (window.logged < this.perWindow) {
      window.logged += 1;
      this.logger.warn(fields, msg);
      return;
    }
    window.suppressed += 1;
    // The count must reach the log even if the flood stops now: one timer for all kinds.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.windowMs).unref();
  }

  /** Logs every pending count and starts every kind afresh. */
  flush(): void {
    for (const window of this.windows.values()) this.summarise(window);
    this.windows.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private summarise(window: Window): void {
    if (window.suppressed === 0) return;
    this.logger.warn({ repeated: window.suppressed, overMs: this.now() - window.startedAt }, `${window.msg} (more of the same, not logged one by one)`);
    window.suppressed = 0;
  }
}
