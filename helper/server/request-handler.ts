/**
 * Maps one validated request to MailService calls and to exactly one reply. Knows nothing about
 * sockets or authentication: the connection only calls this once the client is authenticated.
 */
import type { Logger } from 'pino';
import { parseResult, type ClientMessage, type ClientRequest, type ErrorMessage, type ResultOf, type ServerMessage } from '../../protocol';
import { MailServiceError, type MailService } from '../accounts/mail-service';
import { StorageError } from '../store/atomic-file';
import { errorReply } from './frames';

export type MailRequest = Exclude<ClientMessage, { type: 'auth' | 'pair' }>;
export type ResultMessage = Extract<ServerMessage, { type: 'result' }>;

export interface RequestContext {
  mail: MailService;
  logger: Logger;
  now: () => number;
}

type Handlers = {
  [T in MailRequest['type']]: (request: ClientRequest<T>, context: RequestContext) => Promise<ResultOf<T>>;
};

const handlers: Handlers = {
  ping: async (_request, { now }) => ({ at: now() }),
  'get-body': (r, { mail }) => mail.getBody(r.accountId, r.key, r.markSeen),
  'set-seen': async (r, { mail }) => {
    await mail.setSeen(r.accountId, r.keys, r.seen);
    return {};
  },
  'mark-all-read': async (r, { mail }) => ({ marked: await mail.markAllRead(r.accountId) }),
  archive: async (r, { mail }) => {
    await mail.archive(r.accountId, r.key);
    return {};
  },
  delete: async (r, { mail }) => {
    await mail.delete(r.accountId, r.key);
    return {};
  },
  'add-account': async (r, { mail }) => ({ account: await mail.addAccount(r.account) }),
  'test-account': async (r, { mail }) => {
    await mail.testAccount(r.account);
    return { ok: true };
  },
  'update-account': async (r, { mail }) => ({ account: await mail.updateAccount(r.accountId, r.changes) }),
  'remove-account': async (r, { mail }) => {
    await mail.removeAccount(r.accountId);
    return {};
  },
  'retry-login': async (r, { mail }) => {
    await mail.retryLogin(r.accountId);
    return {};
  },
  'get-login-log': async (r, { mail }) => ({ entries: await mail.loginLog(r.accountId) }),
  'list-folders': (r, { mail }) => mail.listFolders(r.accountId),
};

export async function handleRequest(request: MailRequest, context: RequestContext): Promise<ResultMessage | ErrorMessage> {
  const handler = handlers[request.type] as (request: MailRequest, context: RequestContext) => Promise<unknown>;
  let data: unknown;
  try {
    data = await handler(request, context);
  } catch (err) {
    return failureReply(err, request, context.logger);
  }
  // Checked here rather than trusted: the extension refuses a result that does not match, and a
  // strict schema also keeps any field the accounts side added by mistake (a password) from leaving.
  const checked = parseResult(request.type, data);
  if (checked === undefined) {
    context.logger.error({ requestType: request.type, requestId: request.id }, 'result does not match the protocol; not sent');
    return errorReply('internal', 'The helper produced a malformed answer; details are in its log.', request.id);
  }
  return { type: 'result', id: request.id, data: checked };
}

/** The one error reply for a failed request: the service's own words, or a generic `internal`. */
export function failureReply(err: unknown, request: ClientMessage, logger: Logger): ErrorMessage {
  if (err instanceof MailServiceError) {
    logger.info({ requestType: request.type, requestId: request.id, errorCode: err.code }, 'request refused');
    return errorReply(err.code, err.message, request.id);
  }
  // One message field: the helper's logger keeps only `message` (and codes) of an `err` object.
  const message = redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err), secretsOf(request));
  if (err instanceof StorageError) {
    logger.warn({ requestType: request.type, requestId: request.id, err: { message } }, 'request failed on storage');
    return errorReply('storage', redact(err.message, secretsOf(request)), request.id);
  }
  logger.error({ requestType: request.type, requestId: request.id, err: { message } }, 'request failed');
  return errorReply('internal', 'The helper hit an unexpected error; details are in its log.', request.id);
}

/** The secrets a request carries, so an exception that quotes one is not logged with it. */
function secretsOf(request: ClientMessage): string[] {
  switch (request.type) {
    case 'add-account':
    case 'test-account':
      return [request.account.password];
    case 'update-account':
      return request.changes.password !== undefined ? [request.changes.password] : [];
    case 'auth':
      return [request.token];
    case 'pair':
      return [request.code];
    default:
      return [];
  }
}

function redact(text: string, secrets: string[]): string {
  return secrets.reduce((result, secret) => (secret.length > 0 ? result.split(secret).join('[redacted]') : result), text).slice(0, 500);
}
