/**
 * How a connection to an IMAP server is protected, decided from the account's settings alone.
 * TLS from the first byte when the account says so. Otherwise STARTTLS: required (the
 * connection fails before the password is sent) unless the server is on this machine or the user
 * ticked "allow unencrypted" after being warned; in those two cases still used when the server
 * offers it. The host is judged by name, never by what it resolves to.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { ImapFlowOptions } from 'imapflow';

export interface TransportSettings {
  host: string;
  tls: boolean;
  allowUnencrypted?: boolean;
}

/** `localhost`, 127.0.0.0/8, ::1 and ::ffff:127.x: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  if (isIPv6(name)) return name === '::1' || /^::ffff:127\./.test(name);
  return false;
}

/** Whether the password may cross the network unencrypted when the server offers no STARTTLS. */
export function mayLoginUnencrypted(settings: TransportSettings): boolean {
  return settings.allowUnencrypted === true || isLoopbackHost(settings.host);
}

export function transportSecurity(settings: TransportSettings): Pick<ImapFlowOptions, 'secure' | 'doSTARTTLS'> {
  if (settings.tls) return { secure: true };
  // Required, not just preferred: a STARTTLS capability stripped on the way in must not make us
  // send the password in the clear.
  return mayLoginUnencrypted(settings) ? { secure: false } : { secure: false, doSTARTTLS: true };
}
