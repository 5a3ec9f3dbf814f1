/**
 * An account without TLS: the password crosses the network in the clear only to this machine or
 * when the user allowed it. Elsewhere STARTTLS is required, and a server that does not offer it
 * (or offers and then refuses it) never sees a LOGIN. A scripted server on 127.0.0.1 stands in
 * for the remote one: the session is given a remote name and the client is pointed at loopback.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { loginFailureMessage } from '../../helper/accounts/login-messages';
import { AccountSession, type SessionAccount } from '../../helper/mail/account-session';
import { NewMailMarks } from '../../helper/mail/new-mail-marks';
import { isLoopbackHost, transportSecurity } from '../../helper/mail/transport-security';
import { NO_ENCRYPTION_REASON } from '../../helper/policy/classify-login-error';
import { LoginPolicy } from '../../helper/policy/login-policy';
import { MemoryPolicyStore } from '../../helper/store/policy-store';
import { startScriptedImap, type ImapScript, type ScriptedImapServer } from '../harness/scripted-imap';
import { recordSecret } from '../harness/test-log';
import { FAST_TUNING, MemoryMarkStore } from './session-fixture';

const PASS = 'plain-text-pass-7Hq';
recordSecret(PASS);
const REJECTED = 'NO [AUTHENTICATIONFAILED] Authentication failed.';

let server: ScriptedImapServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One login attempt as `account` says, against a scripted server; what the client was told, what the server heard. */
async function tryLogin(script: ImapScript, account: Partial<SessionAccount> & { host: string }) {
  server = await startScriptedImap(script);
  const target = server;
  const policy = new LoginPolicy({ store: new MemoryPolicyStore(), now: Date.now, random: () => 0 });
  await policy.load();
  const marks = new NewMailMarks(new MemoryMarkStore());
  await marks.load();
  const options: ImapFlowOptions[] = [];
  const session = new AccountSession({
    account: { id: 'plain', port: 143, tls: false, username: 'me', watchedFolders: [], previewCount: 50, ...account },
    password: async () => PASS,
    policy,
    marks,
    tuning: FAST_TUNING,
    createClient: (given) => {
      options.push(given);
      return new ImapFlow({ ...given, host: target.host, port: target.port });
    },
  });
  const result = await session.tryLogin(PASS, 'add-account');
  if ('client' in result) result.client.close();
  return { result, options: options[0], commands: target.commands };
}

describe('an account without TLS', () => {
  it('is refused before LOGIN when a remote server offers no STARTTLS, with a message saying what to do', async () => {
    const { result, options, commands } = await tryLogin({ greeting: '* OK ready', login: REJECTED }, { host: 'mail.example.org' });
    expect(options).toMatchObject({ secure: false, doSTARTTLS: true });
    expect(result).toEqual({ outcome: 'network', reason: NO_ENCRYPTION_REASON });
    expect(commands).not.toContain('LOGIN');
    expect(commands).not.toContain('AUTHENTICATE');
    const { message } = loginFailureMessage({ host: 'mail.example.org', port: 143 }, 'network', NO_ENCRYPTION_REASON);
    expect(message).toContain('did not send your password');
    expect(message).toContain('Allow an unencrypted connection');
  });

  it('requires STARTTLS when the server offers it: offered and then refused, still no LOGIN', async () => {
    const { result, commands } = await tryLogin({ greeting: '* OK ready', capability: 'IMAP4rev1 STARTTLS', login: REJECTED }, { host: 'mail.example.org' });
    expect(commands).toContain('STARTTLS');
    expect(commands).not.toContain('LOGIN');
    expect(result).toEqual({ outcome: 'network', reason: NO_ENCRYPTION_REASON });
  });

  it('logs in unencrypted to a remote server only when the user allowed it', async () => {
    const { result, options, commands } = await tryLogin({ greeting: '* OK ready', login: REJECTED }, { host: 'mail.example.org', allowUnencrypted: true });
    expect(options.doSTARTTLS).toBeUndefined();
    expect(commands).toContain('LOGIN');
    expect(result).toMatchObject({ outcome: 'auth-rejected' });
  });

  it('logs in to a server on this machine without asking', async () => {
    const { result, commands } = await tryLogin({ greeting: '* OK ready', login: REJECTED }, { host: '127.0.0.1' });
    expect(commands).toContain('LOGIN');
    expect(result).toMatchObject({ outcome: 'auth-rejected' });
  });
});

describe('transportSecurity', () => {
  it('uses TLS when told, else STARTTLS: required for remote hosts unless allowed, opportunistic on loopback', () => {
    expect(transportSecurity({ host: 'imap.mail.me.com', tls: true })).toEqual({ secure: true });
    expect(transportSecurity({ host: 'imap.example.com', tls: false })).toEqual({ secure: false, doSTARTTLS: true });
    expect(transportSecurity({ host: 'imap.example.com', tls: false, allowUnencrypted: true })).toEqual({ secure: false });
    expect(transportSecurity({ host: 'localhost', tls: false })).toEqual({ secure: false });
  });

  it('judges loopback by name: 127.0.0.0/8, ::1, localhost; nothing that merely resolves there', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST.', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['10.0.0.1', '128.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io', '::2', 'mail.example.org', '0.0.0.0']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
