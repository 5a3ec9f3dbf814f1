/**
 * Per account: can its server be reached (see imap-probe: no login), and what does the login
 * policy say — read from the persisted state and login log only, so the doctor never changes
 * the budget or lifts a block.
 */
import type { AccountStatus } from '../../protocol';
import { isIcloudHost } from '../policy/password-shape';
import { budgetUse, decide, POLICY_LIMITS } from '../policy/policy-core';
import type { PolicyState } from '../policy/types';
import type { AccountConfig } from '../store/config';
import { relativeTime, type CheckResult } from './check-result';
import type { ImapProbeResult } from './imap-probe';
import { helperCommand } from '../command-name';

type Account = Pick<AccountConfig, 'id' | 'kind' | 'host' | 'port' | 'tls'>;

const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
const isIcloud = (account: Account) => account.kind === 'icloud' || isIcloudHost(account.host);

function reachFix(account: Account, result: ImapProbeResult & { ok: false }): string {
  const settings = isIcloud(account) ? 'iCloud is imap.mail.me.com, port 993, TLS' : 'IMAP is usually port 993 with TLS';
  switch (result.problem) {
    case 'not-found':
      return `check the server name in the account settings and that this computer is online (${settings})`;
    case 'refused':
    case 'closed':
    case 'not-imap':
      return `check the port and the TLS setting (${settings})`;
    case 'unreachable':
    case 'timeout':
      return `check your network; a firewall or VPN may block port ${account.port}`;
    case 'tls':
      return `the TLS handshake failed: check the port and the TLS setting (${settings}); a certificate error can also mean something between you and the server intercepts TLS`;
    case 'bye':
      return 'the server turned the connection away: try again later, or ask your mail provider';
    default:
      return 'check the server name, port and your network';
  }
}

export function reachCheck(account: Account, result: ImapProbeResult): CheckResult {
  const where = `${account.host}:${account.port}${account.tls ? ' (TLS)' : ' (no TLS)'}`;
  const title = `${account.id} server`;
  if (result.ok) return { ok: true, title, detail: `${where} answered in ${result.ms} ms: ${printable(result.greeting)}` };
  return { ok: false, title, detail: `${where}: ${printable(result.message)}`, fix: reachFix(account, result) };
}

export function loginCheck(account: Account, state: PolicyState, live: AccountStatus | undefined, now: number): CheckResult {
  const title = `${account.id} login`;
  const use = budgetUse(state, now);
  const budget = `${use.lastHour}/${POLICY_LIMITS.loginsPerHour} logins in the last hour, ${use.lastDay}/${POLICY_LIMITS.loginsPerDay} in 24 h`;
  const logins = `\`${helperCommand(`logins ${account.id}`)}\` lists every attempt`;
  const decision = decide(state, now);
  if (decision.kind === 'blocked' && state.authFailed?.unknown) {
    return {
      ok: false,
      title,
      detail: `the last login (${relativeTime(state.authFailed.at, now)}) was cut short before the server answered, so it may have been refused; not retried until you act; ${budget}`,
      fix: `\`${helperCommand(`retry ${account.id}`)}\` logs in once (or "Retry login" in the extension settings); if that is refused too, enter a new password`,
    };
  }
  if (decision.kind === 'blocked') {
    return {
      ok: false,
      title,
      detail: `password rejected ${relativeTime(state.authFailed!.at, now)} (${state.authFailed!.reason}); not retried until you act; ${budget}`,
      fix: isIcloud(account)
        ? 'create a new app-specific password at https://account.apple.com (Sign-In and Security → App-Specific Passwords) and enter it in the extension settings'
        : 'check the username and enter the right password in the extension settings',
    };
  }
  if (decision.kind === 'wait') {
    const why = decision.state === 'paused' ? 'login budget used up' : 'backing off after a failed login';
    return {
      ok: false,
      title,
      detail: `${why} (${decision.reason.replace(/\.$/, '')}); next try ${relativeTime(decision.until, now)}; ${budget}`,
      fix: `nothing to force: the helper tries again by itself. ${logins}; the server check above tells whether the server is reachable`,
    };
  }
  const current = live && ['idle', 'syncing', 'connecting'].includes(live.state) ? `${live.state} now, ${live.unreadCount} unread; ` : '';
  const last = state.lastSuccessAt === null ? 'no successful login recorded' : `last login ${relativeTime(state.lastSuccessAt, now)}`;
  return { ok: true, title, detail: `${current}${last}; ${budget}` };
}
