import { describe, expect, it } from 'vitest';
import { createLogger, safeError } from './log';

const PASSWORD = 'abcd-efgh-ijkl-mnop';
const TOKEN = 'tok_9f8e7d6c5b4a';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) }, level: 'debug' });
  return { logger, text: () => lines.join(''), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Shaped like an imapflow login error that also drags its client along. */
function imapflowError(): Error {
  return Object.assign(new Error('Command failed'), {
    code: 'ECONNREFUSED',
    serverResponseCode: 'AUTHENTICATIONFAILED',
    responseText: 'Authentication failed',
    authenticationFailed: true,
    client: { options: { host: 'imap.mail.me.com', auth: { user: 'me', pass: PASSWORD } } },
    options: { auth: { pass: PASSWORD, accessToken: TOKEN } },
  });
}

describe('createLogger', () => {
  it('never writes a password or token, at any depth or inside an error', () => {
    const { logger, text } = capture();
    logger.info({ password: PASSWORD, token: TOKEN }, 'top level');
    logger.info({ account: { auth: { user: 'me', pass: PASSWORD } } }, 'auth.pass');
    logger.info({ client: { options: { auth: { pass: PASSWORD, accessToken: TOKEN } } } }, 'imapflow options');
    logger.info({ a: { b: { c: { d: { e: { secret: PASSWORD } } } } } }, 'deep');
    logger.info({ headers: { authorization: `Bearer ${TOKEN}` } }, 'header');
    logger.info({ accounts: [{ password: PASSWORD }] }, 'in an array');
    logger.info({ pairing: { code: '482913' } }, 'pairing code');
    logger.error(imapflowError());
    logger.error({ err: imapflowError() }, 'as err');
    logger.warn({ error: imapflowError() }, 'as error');
    const out = text();
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('482913');
    expect(out).toContain('"user":"me"');
    expect(out.match(/\[Redacted\]/g)?.length).toBeGreaterThanOrEqual(9);
  });

  it('logs an error as message, code and server response code only', () => {
    const { logger, records } = capture();
    logger.error({ err: imapflowError() }, 'login failed');
    logger.error(Object.assign(new Error('tls'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
    const [first, second] = records();
    expect(first.err).toEqual({ message: 'Command failed', code: 'ECONNREFUSED', serverResponseCode: 'AUTHENTICATIONFAILED' });
    expect(first.msg).toBe('login failed');
    expect(second.err).toEqual({ message: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('safeError', () => {
  it('keeps only the three fields', () => {
    expect(safeError(imapflowError())).toEqual({ message: 'Command failed', code: 'ECONNREFUSED', serverResponseCode: 'AUTHENTICATIONFAILED' });
    expect(safeError({ code: 42 })).toEqual({ message: 'Unknown error' });
    expect(safeError('plain')).toEqual({ message: 'plain' });
  });
});
