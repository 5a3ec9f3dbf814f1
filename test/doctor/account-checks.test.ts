import { describe, expect, it } from 'vitest';
import { loginCheck, reachCheck } from '../../helper/doctor/account-checks';
import { initialPolicyState } from '../../helper/policy/policy-core';

const MINUTE = 60_000;
const now = 1_800_000_000_000;
const imapAccount = { id: 'work', kind: 'imap' as const, host: 'mail.example.test', port: 993, tls: true };

describe('loginCheck', () => {
  it('a used-up budget says when the helper tries again by itself', () => {
    const attempts = Array.from({ length: 10 }, (_, i) => now - 50 * MINUTE + i * MINUTE);
    const result = loginCheck(imapAccount, { ...initialPolicyState(), attempts }, undefined, now);
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      'login budget used up (10 logins in the last hour: paused to protect the account from a lockout); next try in 10 min; 10/10 logins in the last hour, 10/60 in 24 h',
    );
    expect(result.fix).toMatch(/`npm run helper logins work`/);
  });

  it('a backoff names the failure and the next try', () => {
    const state = { ...initialPolicyState(), attempts: [now - MINUTE], consecutiveFailures: 1, backoff: { until: now + 2 * MINUTE, reason: 'connect ETIMEDOUT' } };
    expect(loginCheck(imapAccount, state, undefined, now).detail).toBe(
      'backing off after a failed login (connect ETIMEDOUT); next try in 2 min; 1/10 logins in the last hour, 1/60 in 24 h',
    );
  });

  it('a rejected password on another server asks for the right one, not an app-specific one', () => {
    const state = { ...initialPolicyState(), authFailed: { at: now - 3 * 3_600_000, reason: 'NO [AUTHENTICATIONFAILED]' } };
    const result = loginCheck(imapAccount, state, undefined, now);
    expect(result.detail).toMatch(/^password rejected 3 h ago/);
    expect(result.fix).toBe('check the username and enter the right password in the extension settings');
  });
});

describe('loginCheck after a login cut short', () => {
  it('says the answer never came and that one retry is the next step', () => {
    const state = { ...initialPolicyState(), attempts: [now - 5 * MINUTE], authFailed: { at: now - 5 * MINUTE, reason: 'cut short', unknown: true } };
    const result = loginCheck(imapAccount, state, undefined, now);
    expect(result.ok).toBe(false);
    expect(result.detail).toBe('the last login (5 min ago) was cut short before the server answered, so it may have been refused; not retried until you act; 1/10 logins in the last hour, 1/60 in 24 h');
    expect(result.fix).toMatch(/^`npm run helper retry work` logs in once/);
  });
});

describe('reachCheck', () => {
  it('turns a name that does not resolve into a step to take, and keeps control characters out of the line', () => {
    expect(reachCheck(imapAccount, { ok: false, problem: 'not-found', message: 'getaddrinfo ENOTFOUND mail.example.test' })).toEqual({
      ok: false,
      title: 'work server',
      detail: 'mail.example.test:993 (TLS): getaddrinfo ENOTFOUND mail.example.test',
      fix: 'check the server name in the account settings and that this computer is online (IMAP is usually port 993 with TLS)',
    });
    expect(reachCheck(imapAccount, { ok: true, greeting: '* OK \x1b[31mred', ms: 12 }).detail).toBe('mail.example.test:993 (TLS) answered in 12 ms: * OK ?[31mred');
  });
});
