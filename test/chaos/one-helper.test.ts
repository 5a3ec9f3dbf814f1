import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { ONE_HELPER, oneHelper } from './scenarios/one-helper';

describe('chaos: one helper per home, nothing left after SIGTERM', () => {
  it('a second start exits at once; SIGTERM during a held login leaves no session; never two at the server', async () => {
    const result = await oneHelper(ONE_HELPER.short, 'chaos-one-helper');
    expect(failedChecks(result)).toEqual([]);
  }, 120_000);
});
