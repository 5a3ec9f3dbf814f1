import { describe, expect, it } from 'vitest';
import { GuessGate } from '../../helper/server/guess-gate';

const RATE = { ratePerSecond: 50, burst: 50 };

function gate(start = 0) {
  const clock = { now: start, waited: 0 };
  const g = new GuessGate({
    ...RATE,
    now: () => clock.now,
    wait: async (ms) => {
      clock.now += ms;
      clock.waited += ms;
    },
  });
  return { g, clock };
}

describe('GuessGate', () => {
  it('lets a burst through at once, then one guess every 1/rate seconds', async () => {
    const { g, clock } = gate();
    for (let i = 0; i < RATE.burst; i++) await g.take();
    expect(clock.waited).toBe(0);
    await g.take();
    expect(clock.waited).toBe(20);
    await g.take();
    expect(clock.waited).toBe(40);
  });

  it('checks no more than burst + rate × time guesses in ten minutes, however they are sent', async () => {
    const { g, clock } = gate(1_000);
    const life = 10 * 60_000;
    let checked = 0;
    // Taken one at a time, as PairingCodes does; as fast as the gate lets them.
    while (clock.now - 1_000 < life) {
      await g.take();
      if (clock.now - 1_000 < life) checked += 1;
    }
    expect(checked).toBeLessThanOrEqual(GuessGate.mostGuessesWithin(RATE, life));
    expect(checked).toBeGreaterThan(GuessGate.mostGuessesWithin(RATE, life) - 2);
  });

  it('refills after a quiet spell, never beyond the burst, and survives a clock that goes back', async () => {
    const { g, clock } = gate();
    for (let i = 0; i < RATE.burst; i++) await g.take();
    clock.now += 60_000;
    for (let i = 0; i < RATE.burst; i++) await g.take();
    expect(clock.waited).toBe(0);
    clock.now -= 30_000;
    await g.take();
    expect(clock.waited).toBe(20);
  });
});
