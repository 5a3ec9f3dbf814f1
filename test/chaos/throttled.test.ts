import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { THROTTLED, throttled } from './scenarios/throttled';

describe('chaos 5: throttling answers (NO [UNAVAILABLE], NO [LIMIT], BYE at greeting)', () => {
  it('back off at least 15 minutes each time, never auth-failed, within the budget', async () => {
    const result = await throttled(THROTTLED.short, 'chaos-throttled');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
