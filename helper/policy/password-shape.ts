/**
 * iCloud refuses third-party logins with the Apple ID password; every such try is a failed login
 * that counts toward a lockout. So a password that cannot be an app-specific one is refused here,
 * before any connection.
 */

const ICLOUD_HOST = /(^|\.)mail\.me\.com$/;
/** Four groups of four letters, dashes optional: what appleid/account.apple.com hands out. */
const APP_SPECIFIC_PASSWORD = /^[a-z]{4}-?[a-z]{4}-?[a-z]{4}-?[a-z]{4}$/i;

const ICLOUD_APP_PASSWORD_HELP =
  'iCloud Mail needs an app-specific password, not your Apple ID password: 16 letters such as ' +
  'abcd-efgh-ijkl-mnop. Create one at https://account.apple.com (Sign-In and Security → ' +
  'App-Specific Passwords) and enter it here.';

export function isIcloudHost(host: string): boolean {
  return ICLOUD_HOST.test(host.trim().toLowerCase().replace(/\.$/, ''));
}

export function checkPasswordShape(host: string, password: string): { ok: true } | { ok: false; message: string } {
  if (!isIcloudHost(host) || APP_SPECIFIC_PASSWORD.test(password.trim())) return { ok: true };
  return { ok: false, message: ICLOUD_APP_PASSWORD_HELP };
}
