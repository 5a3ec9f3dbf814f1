import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { LOGIN_CUT_SHORT, loginCutShort } from './scenarios/login-cut-short';

describe('chaos: a login cut short (SIGKILL mid-login, link cut after the login command)', () => {
  it('sends the password once, waits for the user, and logs the retry as user-retry', async () => {
    const result = await loginCutShort(LOGIN_CUT_SHORT.short, 'chaos-login-cut-short');
    expect(failedChecks(result)).toEqual([]);
  }, 120_000);
});
