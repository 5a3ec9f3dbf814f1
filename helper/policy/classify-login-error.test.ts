import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedImap, type ImapScript, type ScriptedImapServer } from '../../test/harness/scripted-imap';
import { classifyLoginError } from './classify-login-error';

const PASSWORD = 'correct-horse-battery';

let servers: ScriptedImapServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function loginError(script: ImapScript): Promise<unknown> {
  const server = await startScriptedImap(script);
  servers.push(server);
  return connectError(server.port);
}

async function connectError(port: number): Promise<unknown> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'me', pass: PASSWORD },
    logger: false,
    connectionTimeout: 2_000,
    greetingTimeout: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.close();
    return err;
  }
  client.close();
  throw new Error('connect() succeeded');
}

const GREETING = '* OK [CAPABILITY IMAP4rev1] ready';

describe('classifyLoginError on errors imapflow really throws', () => {
  it('NO [AUTHENTICATIONFAILED] is a rejected password', async () => {
    const err = await loginError({ greeting: GREETING, login: 'NO [AUTHENTICATIONFAILED] Authentication failed.' });
    expect(err).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
    const c = classifyLoginError(err);
    expect(c.outcome).toBe('auth-rejected');
    expect(c.reason).toContain('[AUTHENTICATIONFAILED] Authentication failed.');
    expect(c.reason).not.toContain(PASSWORD);
  });

  it('NO [LIMIT] is throttling although imapflow marks it authenticationFailed', async () => {
    const err = await loginError({ greeting: GREETING, login: 'NO [LIMIT] Maximum number of connections from user+IP exceeded' });
    expect(err).toMatchObject({ authenticationFailed: true, serverResponseCode: 'LIMIT' });
    expect(classifyLoginError(err).outcome).toBe('throttled');
  });

  it('NO [UNAVAILABLE] is throttling', async () => {
    const err = await loginError({ greeting: GREETING, login: 'NO [UNAVAILABLE] Temporary authentication failure.' });
    expect(classifyLoginError(err).outcome).toBe('throttled');
  });

  it('a plain NO to LOGIN is a rejected password', async () => {
    const err = await loginError({ greeting: GREETING, login: 'NO Invalid credentials' });
    expect(classifyLoginError(err)).toEqual({ outcome: 'auth-rejected', reason: 'Server rejected the login: Invalid credentials' });
  });

  it('BYE at the greeting is throttling', async () => {
    const err = await loginError({ greeting: '* BYE Too many connections, try later' });
    const c = classifyLoginError(err);
    expect(c).toEqual({ outcome: 'throttled', reason: 'Server closed the connection: Too many connections, try later' });
  });

  it('a refused connection is a network error', async () => {
    const server = await startScriptedImap({ greeting: GREETING });
    const port = server.port;
    await server.close();
    const c = classifyLoginError(await connectError(port));
    expect(c.outcome).toBe('network');
    expect(c.reason).toContain('ECONNREFUSED');
  });
});

describe('classifyLoginError on error shapes', () => {
  it.each([
    [{ code: 'ETIMEOUT', message: 'Socket timeout' }, 'network'],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'network'],
    [{ code: 'EPIPE', message: 'write EPIPE' }, 'network'],
    [{ code: 'NoConnection', message: 'Connection not available' }, 'network'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND imap.example' }, 'network'],
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'network'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames", reason: "Host: x. is not in the cert's altnames" }, 'network'],
    [{ code: 'ETHROTTLE', message: 'Command failed', responseStatus: 'BAD' }, 'throttled'],
    [{ authenticationFailed: true, serverResponseCode: 'LIMIT', responseStatus: 'NO' }, 'throttled'],
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseStatus: 'NO' }, 'auth-rejected'],
    [{ authenticationFailed: true, serverResponseCode: 'ALERT', responseText: 'Too many simultaneous connections.' }, 'throttled'],
    [{ authenticationFailed: true, serverResponseCode: 'ALERT', responseText: 'Application-specific password required' }, 'auth-rejected'],
    // An explicit credentials code wins over throttling words in the text: never retry a bad password.
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'try again later' }, 'auth-rejected'],
    [{ authenticationFailed: true, message: 'No matching authentication method' }, 'auth-rejected'],
    [{ code: 'NoConnection', reason: 'Server shutting down', responseStatus: 'BYE' }, 'throttled'],
    [{ message: 'Command failed', responseStatus: 'NO', responseText: 'Internal error occurred' }, 'server'],
    ['a string', 'server'],
    [null, 'server'],
  ] as const)('%j → %s', (err, outcome) => {
    expect(classifyLoginError(err).outcome).toBe(outcome);
  });

  it('keeps the reason short and on one line', () => {
    const c = classifyLoginError({ responseStatus: 'NO', responseText: `line one\r\nline two ${'x'.repeat(500)}` });
    expect(c.reason).not.toMatch(/[\r\n]/);
    expect(c.reason.length).toBeLessThanOrEqual(220);
  });
});
