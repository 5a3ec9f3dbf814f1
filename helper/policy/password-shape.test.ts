import { describe, expect, it } from 'vitest';
import { checkPasswordShape, isIcloudHost } from './password-shape';

describe('checkPasswordShape', () => {
  it.each(['abcd-efgh-ijkl-mnop', 'abcdefghijklmnop', 'ABCD-EFGH-IJKL-MNOP', '  abcd-efgh-ijkl-mnop \n', 'abcdefgh-ijkl-mnop'])(
    'accepts the app-specific password shape %j on iCloud',
    (password) => {
      expect(checkPasswordShape('imap.mail.me.com', password)).toEqual({ ok: true });
    },
  );

  it.each(['MyAppleIdPassw0rd!', 'qwer-tyui-opas', 'qwer-tyui-opas-dfgh-jklz', 'qwer-tyui-opas-dfg5', 'qwer tyui opas dfgh', ''])(
    'refuses %j on iCloud, pointing to account.apple.com',
    (password) => {
      const result = checkPasswordShape('imap.mail.me.com', password);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.message).toContain('app-specific password');
      expect(result.message).toContain('https://account.apple.com');
      expect(result.message).toContain('Sign-In and Security');
      if (password) expect(result.message).not.toContain(password);
    },
  );

  it('recognises iCloud hosts only', () => {
    expect(isIcloudHost('imap.mail.me.com')).toBe(true);
    expect(isIcloudHost('p42-imap.mail.me.com')).toBe(true);
    expect(isIcloudHost('IMAP.Mail.Me.Com.')).toBe(true);
    expect(isIcloudHost('mail.me.com.evil.example')).toBe(false);
    expect(isIcloudHost('notmail.me.com')).toBe(false);
    expect(checkPasswordShape('imap.example.org', 'hunter2')).toEqual({ ok: true });
    expect(checkPasswordShape('127.0.0.1', '')).toEqual({ ok: true });
  });
});
