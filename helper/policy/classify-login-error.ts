/**
 * Sorts an error from imapflow's connect()/login into what the login policy must do about it.
 * The order matters: imapflow marks a connection-limit refusal (`NO [LIMIT]`) as
 * `authenticationFailed` too, and treating that as a wrong password would block the account
 * while treating a wrong password as throttling would retry it, so response codes come first.
 */
import type { FailureOutcome } from './types';

export interface LoginErrorClass {
  outcome: FailureOutcome;
  /** Short, for the login log and the status line; built from server text and codes only. */
  reason: string;
}

/** RFC 5530 codes that say "not now" rather than "not you". */
const THROTTLE_CODES = new Set(['UNAVAILABLE', 'LIMIT', 'INUSE']);
/** RFC 5530 codes that say the credentials (or the account) will not do: retrying cannot help. */
const CREDENTIAL_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED', 'CONTACTADMIN']);
const THROTTLE_TEXT = /too many (simultaneous |concurrent )?(connections|sessions|logins|login attempts)|connection limit|maximum number of connections|rate limit|try again later/i;

/** Socket, DNS and connection-phase codes from Node and imapflow. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ETIMEOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText',
  'ClosedAfterConnectTLS', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ProxyError', 'EPROXY',
]);
/** TLS failures from Node: ERR_TLS_*, ERR_SSL_* and the OpenSSL certificate codes. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

/** imapflow's codes for a connection the server closed; `reason` then holds its BYE text. */
const CLOSED_CODES = new Set(['NoConnection', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']);

const MAX_REASON = 200;

/** A server without TLS that did not offer STARTTLS where it was required: no password was sent. */
export const NO_ENCRYPTION_REASON = 'The server offers no encryption (no TLS, no STARTTLS), so the password was not sent.';

interface ImapflowErrorFields {
  message?: unknown;
  code?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseStatus?: unknown;
  responseText?: unknown;
  response?: unknown;
  /** The server's BYE text, on the connection-closed codes below (TLS errors use it otherwise). */
  reason?: unknown;
  /** imapflow: STARTTLS was required and did not happen (or its handshake failed, with a code). */
  tlsFailed?: unknown;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function clip(text: string): string {
  // Server text is untrusted: keep each log entry on one line.
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat;
}

export function classifyLoginError(err: unknown): LoginErrorClass {
  if (typeof err !== 'object' || err === null) return { outcome: 'server', reason: 'Unexpected error during login.' };
  const e = err as ImapflowErrorFields;
  const code = str(e.code);
  const responseCode = str(e.serverResponseCode).toUpperCase();
  // responseText is the server's words alone; response is the whole line with tag and status.
  const serverText = str(e.responseText) || str(e.response);
  const said = clip([responseCode && `[${responseCode}]`, serverText || str(e.message)].filter(Boolean).join(' '));
  const byeText = CLOSED_CODES.has(code) ? str(e.reason) : '';

  if (e.tlsFailed === true && !code) {
    // Not retried sooner than any unreachable server: the next try may find STARTTLS back.
    return { outcome: 'network', reason: NO_ENCRYPTION_REASON };
  }
  if (THROTTLE_CODES.has(responseCode) || code === 'ETHROTTLE') {
    return { outcome: 'throttled', reason: `Server is limiting logins: ${said}` };
  }
  if (e.authenticationFailed === true && CREDENTIAL_CODES.has(responseCode)) {
    return { outcome: 'auth-rejected', reason: `Server rejected the login: ${said}` };
  }
  if (str(e.responseStatus).toUpperCase() === 'BYE' || byeText) {
    return { outcome: 'throttled', reason: `Server closed the connection: ${clip(byeText || serverText || 'BYE')}` };
  }
  if (THROTTLE_TEXT.test(serverText)) {
    return { outcome: 'throttled', reason: `Server is limiting logins: ${said}` };
  }
  if (e.authenticationFailed === true) {
    return { outcome: 'auth-rejected', reason: `Server rejected the login: ${said}` };
  }
  if (NETWORK_CODES.has(code) || TLS_CODE.test(code)) {
    return { outcome: 'network', reason: `Could not reach the server: ${clip(`${code}: ${str(e.message)}`)}` };
  }
  return { outcome: 'server', reason: `Server error: ${said || 'no details'}` };
}
