import { afterAll, describe, expect, it } from 'vitest';
import { MailServiceError } from '../../helper/accounts/mail-service';
import { handleRequest, type MailRequest } from '../../helper/server/request-handler';
import { StorageError } from '../../helper/store/atomic-file';
import { parseResult } from '../../protocol';
import { FakeMailService, makeAccount, makePreview } from './fake-mail-service';
import { createCapturingLogger, expectNoSecretsLogged, loggedText, rememberSecret } from './helpers';

const PASSWORD = 'hunter2-correct-horse-battery';
rememberSecret(PASSWORD);
const logger = createCapturingLogger();
const key = { mailbox: 'INBOX', uidValidity: 7, uid: 1 };
const newAccount = { kind: 'imap', host: 'imap.example.test', port: 993, tls: true, username: 'me@example.test', password: PASSWORD } as const;

function setup() {
  const mail = new FakeMailService([{ account: makeAccount('work', { unreadCount: 2 }), previews: [makePreview(1), makePreview(2)] }]);
  return { mail, context: { mail, logger, now: () => 1234 } };
}

afterAll(() => expectNoSecretsLogged());

describe('handleRequest', () => {
  const cases: Array<[MailRequest, string, unknown[]]> = [
    [{ type: 'get-body', id: 'a', accountId: 'work', key, markSeen: true }, 'getBody', ['work', key, true]],
    [{ type: 'set-seen', id: 'a', accountId: 'work', keys: [key], seen: true }, 'setSeen', ['work', [key], true]],
    [{ type: 'mark-all-read', id: 'a', accountId: 'work' }, 'markAllRead', ['work']],
    [{ type: 'archive', id: 'a', accountId: 'work', key }, 'archive', ['work', key]],
    [{ type: 'delete', id: 'a', accountId: 'work', key }, 'delete', ['work', key]],
    [{ type: 'add-account', id: 'a', account: newAccount }, 'addAccount', [newAccount]],
    [{ type: 'test-account', id: 'a', account: newAccount }, 'testAccount', [newAccount]],
    [{ type: 'update-account', id: 'a', accountId: 'work', changes: { label: 'Job' } }, 'updateAccount', ['work', { label: 'Job' }]],
    [{ type: 'remove-account', id: 'a', accountId: 'work' }, 'removeAccount', ['work']],
    [{ type: 'retry-login', id: 'a', accountId: 'work' }, 'retryLogin', ['work']],
    [{ type: 'get-login-log', id: 'a', accountId: 'work' }, 'loginLog', ['work']],
  ];

  it.each(cases)('%# %o calls %s once and answers with a result of the right shape', async (request, method, args) => {
    const { mail, context } = setup();
    const reply = await handleRequest(request, context);
    expect(mail.calls).toEqual([{ method, args }]);
    expect(reply).toMatchObject({ type: 'result', id: 'a' });
    if (reply.type === 'result') expect(parseResult(request.type, reply.data)).toEqual(reply.data);
  });

  it('answers ping with the injected clock and touches nothing', async () => {
    const { mail, context } = setup();
    expect(await handleRequest({ type: 'ping', id: 'p' }, context)).toEqual({ type: 'result', id: 'p', data: { at: 1234 } });
    expect(mail.calls).toEqual([]);
  });

  it('returns the data the service gave', async () => {
    const { context } = setup();
    expect(await handleRequest({ type: 'mark-all-read', id: 'm', accountId: 'work' }, context)).toEqual({ type: 'result', id: 'm', data: { marked: 2 } });
  });

  it('forwards a MailServiceError as its code and message', async () => {
    const { context } = setup();
    expect(await handleRequest({ type: 'archive', id: 'x', accountId: 'gone', key }, context)).toEqual({
      type: 'error',
      id: 'x',
      code: 'not-found',
      message: 'No account gone.',
    });
    expect(await handleRequest({ type: 'test-account', id: 'y', account: { ...newAccount, password: 'wrong' } }, context)).toMatchObject({
      code: 'auth-rejected',
    });
  });

  it('turns any other exception into a generic internal error, logged without the password', async () => {
    const { mail, context } = setup();
    mail.failNext = new TypeError(`cannot log in as me with ${PASSWORD}`);
    const reply = await handleRequest({ type: 'add-account', id: 'z', account: newAccount }, context);
    expect(reply).toEqual({ type: 'error', id: 'z', code: 'internal', message: expect.not.stringContaining(PASSWORD) });
    expect(loggedText()).toContain('cannot log in as me with [redacted]');
  });

  it('reports storage failures as storage errors a user can act on', async () => {
    const { mail, context } = setup();
    mail.failNext = new StorageError('disk-full', '/state/accounts.json', 'Could not write /state/accounts.json: the disk is full.');
    expect(await handleRequest({ type: 'update-account', id: 's', accountId: 'work', changes: { password: PASSWORD } }, context)).toEqual({
      type: 'error',
      id: 's',
      code: 'storage',
      message: 'Could not write /state/accounts.json: the disk is full.',
    });
  });

  it('refuses to send a result that does not match the protocol (a leaked password field, say)', async () => {
    const { mail, context } = setup();
    mail.updateAccount = async () => ({ ...makeAccount('work'), password: PASSWORD }) as never;
    const reply = await handleRequest({ type: 'update-account', id: 'u', accountId: 'work', changes: {} }, context);
    expect(reply).toMatchObject({ type: 'error', id: 'u', code: 'internal' });
    expect(JSON.stringify(reply)).not.toContain(PASSWORD);
  });

  it('keeps MailServiceError the only way to choose the error code', async () => {
    const { mail, context } = setup();
    mail.failNext = new MailServiceError('login-not-allowed', 'Logins are paused for 5 minutes.');
    expect(await handleRequest({ type: 'retry-login', id: 'r', accountId: 'work' }, context)).toMatchObject({ code: 'login-not-allowed', message: 'Logins are paused for 5 minutes.' });
  });
});
