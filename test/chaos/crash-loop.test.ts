import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { CRASH_LOOP, crashLoop } from './scenarios/crash-loop';

describe('chaos 6: the real helper killed with SIGKILL in a loop', () => {
  it('keeps the persisted budget and backoff across restarts: no burst of logins', async () => {
    const result = await crashLoop(CRASH_LOOP.short, 'chaos-crash-loop');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
