import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING } from './account-session';
import type { Clock } from './clock';
import { LivenessWatch, type ProbeReason } from './liveness';

/** A clock whose time only moves when the test says so; timers fire in order as it passes them. */
class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  /** Moves time forward by `ms`, firing due timers; `jump` skips timers the way a sleeping machine does. */
  advance(ms: number, { jump = false } = {}) {
    const end = this.time + ms;
    if (jump) this.time = end;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = end;
  }
}

function watch(clock: ManualClock) {
  const probes: { reason: ProbeReason; at: number }[] = [];
  const w = new LivenessWatch({
    clock,
    heartbeatMs: DEFAULT_TUNING.heartbeatMs,
    tickMs: DEFAULT_TUNING.tickMs,
    clockJumpMs: DEFAULT_TUNING.clockJumpMs,
    probe: (reason) => probes.push({ reason, at: clock.now() }),
  });
  w.start();
  return { w, probes };
}

describe('LivenessWatch', () => {
  it('the default tuning finds a dead link within 5 minutes: quiet time + a tick + the probe deadline', () => {
    expect(DEFAULT_TUNING.heartbeatMs + DEFAULT_TUNING.tickMs + DEFAULT_TUNING.commandTimeoutMs).toBeLessThanOrEqual(5 * 60_000);
    expect(DEFAULT_TUNING.maxIdleTimeMs).toBeLessThan(29 * 60_000);
  });

  it('probes once the server has been quiet for heartbeatMs, and not before', () => {
    const clock = new ManualClock();
    const { probes } = watch(clock);
    const start = clock.now();
    clock.advance(DEFAULT_TUNING.heartbeatMs - DEFAULT_TUNING.tickMs);
    expect(probes).toEqual([]);
    clock.advance(2 * DEFAULT_TUNING.tickMs);
    expect(probes).toHaveLength(1);
    expect(probes[0].reason).toBe('heartbeat');
    expect(probes[0].at - start).toBeLessThanOrEqual(DEFAULT_TUNING.heartbeatMs + DEFAULT_TUNING.tickMs);
  });

  it('server activity postpones the probe', () => {
    const clock = new ManualClock();
    const { w, probes } = watch(clock);
    for (let i = 0; i < 10; i++) {
      clock.advance(DEFAULT_TUNING.heartbeatMs / 2);
      w.alive();
    }
    expect(probes).toEqual([]);
  });

  it('probes at once after the machine slept (the wall clock jumped past the tick)', () => {
    const clock = new ManualClock();
    const { probes } = watch(clock);
    clock.advance(5_000);
    clock.advance(3 * 60 * 60_000, { jump: true });
    expect(probes.map((p) => p.reason)).toEqual(['clock-jump']);
  });
});
