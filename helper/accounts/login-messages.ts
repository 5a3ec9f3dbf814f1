import type { ErrorCode } from '../../protocol';
import type { AttemptOutcome } from '../policy/login-policy';
import { NO_ENCRYPTION_REASON } from '../policy/classify-login-error';
import { isIcloudHost } from '../policy/password-shape';

/** What a user reads when adding or testing an account fails, with the step to take next. */
export function loginFailureMessage(
  account: { host: string; port: number },
  outcome: AttemptOutcome | 'password-shape',
  reason: string,
): { code: ErrorCode; message: string } {
  const icloud = isIcloudHost(account.host);
  switch (outcome) {
    case 'password-shape':
      return { code: 'password-shape', message: reason };
    case 'auth-rejected':
      return {
        code: 'auth-rejected',
        message: icloud
          ? 'iCloud rejected the app-specific password — create a new one at account.apple.com (Sign-In and Security → App-Specific Passwords) and enter it here. The helper will not try this one again.'
          : `${account.host} rejected the username or password (${reason}). Check them and try again; the helper will not retry this password by itself.`,
      };
    case 'throttled':
      return {
        code: 'server-refused',
        message: `${account.host} asked us to slow down (${reason}). The helper waits at least 15 minutes before the next try.`,
      };
    case 'unknown':
      return {
        code: 'connection-failed',
        message: `The connection to ${account.host} was cut after the password was sent and before the server answered, so it may have been refused. To protect the account from a lockout the helper will not send it again by itself: check your connection, then add the account again.`,
      };
    case 'network':
      if (reason === NO_ENCRYPTION_REASON) {
        return {
          code: 'connection-failed',
          message: `${account.host}:${account.port} offers no encryption (neither TLS nor STARTTLS), so the helper did not send your password. Use the server's TLS port (usually 993) with TLS ticked, or, only if you accept that anyone on the network path can read your password and mail, tick "Allow an unencrypted connection".`,
        };
      }
      return {
        code: 'connection-failed',
        message: `Could not reach ${account.host}:${account.port} (${reason}). Check the server address, the port and your connection.`,
      };
    default:
      return { code: 'server-refused', message: `${account.host} answered with an error (${reason}). Try again later.` };
  }
}
