import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { SLEEP_WAKE, sleepWake } from './scenarios/sleep-wake';

describe('chaos 3: sleep and wake', () => {
  it('probes at once on wake and converges to the server, announcing only the mail that came in the sleep', async () => {
    const result = await sleepWake(SLEEP_WAKE.short, 'chaos-sleep-wake');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
