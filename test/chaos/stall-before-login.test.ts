import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { STALL_BEFORE_LOGIN, stallBeforeLogin } from './scenarios/stall-before-login';

describe('chaos: a link silent before the greeting for hours', () => {
  it('spends no login budget, backs off at least 5 s, and logs in once the link heals', async () => {
    const result = await stallBeforeLogin(STALL_BEFORE_LOGIN.short, 'chaos-stall-before-login');
    expect(failedChecks(result)).toEqual([]);
  }, 120_000);
});
