import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { PASSWORD_REVOKED, passwordRevoked } from './scenarios/password-revoked';

describe('chaos 4: password revoked while connected', () => {
  it('one failed login, auth-failed with a reason, nothing more for a simulated day', async () => {
    const result = await passwordRevoked(PASSWORD_REVOKED.short, 'chaos-password-revoked');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
