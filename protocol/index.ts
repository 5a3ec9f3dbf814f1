/**
 * The wire protocol between the helper and the extension: one module, imported by both sides.
 * Every frame is JSON; every frame is checked against these schemas on the way in, on both
 * sides, so a bug or a hostile peer can only ever produce a clear `error`, never a crash.
 * No I/O here.
 */
import * as v from 'valibot';

/** Bumped on any incompatible change. Both sides refuse a peer with another number. */
export const PROTOCOL_VERSION = 2;

/** The helper's default port on 127.0.0.1 / ::1 (the README names it). */
export const DEFAULT_HELPER_PORT = 47913;

/** Frames from the extension are small requests; anything bigger is refused unread. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Frames from the helper can carry a quick-read body (256 Ki characters, up to 4 bytes each). */
export const MAX_SERVER_FRAME_BYTES = 2 * 1024 * 1024;

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const accountId = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/));
const shortText = v.pipe(v.string(), v.maxLength(1024));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const timestamp = v.pipe(v.number(), v.minValue(0));
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));

// ---------------------------------------------------------------- shared data shapes

/** A message is named by its mailbox, the mailbox's UIDVALIDITY and its UID: stable across sessions. */
export const MessageKeySchema = v.strictObject({
  mailbox: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
  uidValidity: count,
  uid: v.pipe(count, v.minValue(1)),
});
export type MessageKey = v.InferOutput<typeof MessageKeySchema>;

export const AddressSchema = v.strictObject({
  name: v.optional(shortText),
  address: v.optional(shortText),
});
export type Address = v.InferOutput<typeof AddressSchema>;

/**
 * The key is a field of its own, not spread into the preview: a whole `Preview` passed where a
 * `MessageKey` is expected is then a type error, not a frame the strict key schema refuses.
 */
export const PreviewSchema = v.strictObject({
  key: MessageKeySchema,
  from: AddressSchema,
  subject: v.pipe(v.string(), v.maxLength(4096)),
  /** Milliseconds since the epoch; the INTERNALDATE when the Date header is missing or broken. */
  date: timestamp,
  snippet: v.pipe(v.string(), v.maxLength(1024)),
  seen: v.boolean(),
  /** The helper reads a bounded slice of each header field: true when the subject went on beyond it. */
  subjectCut: v.optional(v.boolean()),
  /** True when the From field went on beyond the slice read (a name shown in part, no address). */
  fromCut: v.optional(v.boolean()),
});
export type Preview = v.InferOutput<typeof PreviewSchema>;

export const ACCOUNT_STATES = ['connecting', 'syncing', 'idle', 'backoff', 'auth-failed', 'paused', 'stopped'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

export const ACCOUNT_KINDS = ['icloud', 'imap', 'demo'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Delete moves to a trash folder, or (only where the user chose it) flags \Deleted and expunges that one message. */
export const DELETE_MODES = ['trash', 'expunge'] as const;
export type DeleteMode = (typeof DELETE_MODES)[number];

const folderPath = v.pipe(v.string(), v.minLength(1), v.maxLength(512));

export const AccountStatusSchema = v.strictObject({
  id: accountId,
  label: shortText,
  kind: v.picklist(ACCOUNT_KINDS),
  host: shortText,
  username: shortText,
  state: v.picklist(ACCOUNT_STATES),
  /** Why the account is in this state, in words a user can act on. */
  stateReason: v.optional(shortText),
  /** For `backoff` and `paused`: when the helper will try again by itself. */
  until: v.optional(timestamp),
  /** Last time the server answered on the account's connection. */
  lastAliveAt: v.optional(timestamp),
  unreadCount: count,
  passwordStore: v.picklist(['keychain', 'file', 'none']),
  webmailUrl: v.optional(shortText),
  /** How many unread previews the helper keeps and sends for this account. */
  previewCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  /** Folders the user chose for archive and delete; absent: the helper finds the usual ones. */
  archiveFolder: v.optional(folderPath),
  trashFolder: v.optional(folderPath),
  deleteMode: v.optional(v.picklist(DELETE_MODES)),
});
export type AccountStatus = v.InferOutput<typeof AccountStatusSchema>;

/** `unknown`: the login command was sent and its answer never came (link cut, helper stopped or crashed). */
export const LOGIN_OUTCOMES = ['pending', 'success', 'auth-rejected', 'throttled', 'network', 'server', 'unknown'] as const;
export const LoginLogEntrySchema = v.strictObject({
  at: timestamp,
  outcome: v.picklist(LOGIN_OUTCOMES),
  reason: shortText,
  trigger: shortText,
});
export type LoginLogEntry = v.InferOutput<typeof LoginLogEntrySchema>;

/** What the user types to add an account. The password travels only this way: in, never out. */
export const NewAccountSchema = v.strictObject({
  kind: v.picklist(['icloud', 'imap']),
  label: v.optional(shortText),
  host: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  port,
  tls: v.boolean(),
  username: v.pipe(v.string(), v.minLength(1), v.maxLength(320)),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
  /**
   * Without `tls`, a server that is not on this machine must offer STARTTLS, or the helper
   * refuses to send it the password, unless the user ticked this after reading the warning.
   */
  allowUnencrypted: v.optional(v.boolean()),
});
export type NewAccount = v.InferOutput<typeof NewAccountSchema>;

export const AccountChangesSchema = v.strictObject({
  label: v.optional(shortText),
  password: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  watchedFolders: v.optional(v.pipe(v.array(folderPath), v.maxLength(32))),
  previewCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  /** A folder that does not exist yet is created on the server (the user typed a new name). */
  archiveFolder: v.optional(folderPath),
  trashFolder: v.optional(folderPath),
  deleteMode: v.optional(v.picklist(DELETE_MODES)),
});
export type AccountChanges = v.InferOutput<typeof AccountChangesSchema>;

export const ERROR_CODES = [
  'bad-json',
  'too-large',
  'unknown-type',
  'invalid',
  'version-mismatch',
  'unauthenticated',
  'bad-token',
  'bad-pairing-code',
  'rate-limited',
  'not-found',
  'password-shape',
  'auth-rejected',
  'login-not-allowed',
  'connection-failed',
  'server-refused',
  'not-connected',
  'storage',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

// ---------------------------------------------------------------- extension → helper

const request = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) =>
  v.strictObject({ type: v.literal(type), id, ...entries });

export const ClientMessageSchema = v.variant('type', [
  request('pair', { protocol: count, code: v.pipe(v.string(), v.maxLength(32)), clientName: shortText }),
  request('auth', { protocol: count, token: v.pipe(v.string(), v.maxLength(256)) }),
  request('ping', {}),
  request('get-body', { accountId, key: MessageKeySchema, markSeen: v.boolean() }),
  request('set-seen', {
    accountId,
    keys: v.pipe(v.array(MessageKeySchema), v.minLength(1), v.maxLength(500)),
    seen: v.boolean(),
  }),
  request('mark-all-read', { accountId }),
  request('archive', { accountId, key: MessageKeySchema }),
  request('delete', { accountId, key: MessageKeySchema }),
  request('add-account', { account: NewAccountSchema }),
  request('test-account', { account: NewAccountSchema }),
  request('update-account', { accountId, changes: AccountChangesSchema }),
  request('remove-account', { accountId }),
  request('retry-login', { accountId }),
  request('get-login-log', { accountId }),
  request('list-folders', { accountId }),
]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
export type ClientRequestType = ClientMessage['type'];
export type ClientRequest<T extends ClientRequestType> = Extract<ClientMessage, { type: T }>;

// ---------------------------------------------------------------- results, per request type

/** An attachment named in the reader; nothing of it is downloaded. */
export const AttachmentSchema = v.strictObject({
  /** File name as given (may be empty); cut to 200 characters, ending in "…" when cut. */
  name: v.pipe(v.string(), v.maxLength(200)),
  /** MIME type, lower-case, e.g. "application/pdf". */
  type: v.pipe(v.string(), v.maxLength(127)),
  /** Bytes once decoded, estimated from the server's encoded size (BODYSTRUCTURE). */
  size: count,
});
export type Attachment = v.InferOutput<typeof AttachmentSchema>;

export const BodySchema = v.strictObject({
  key: MessageKeySchema,
  from: AddressSchema,
  /** The first recipients of To (at most 50). */
  to: v.pipe(v.array(AddressSchema), v.maxLength(50)),
  /** Recipients in To as read: `toTotal - to.length` more than listed ("and 47 more"). */
  toTotal: count,
  /** True when the To field went on beyond the slice read: there are more than toTotal. */
  toCut: v.optional(v.boolean()),
  subject: v.pipe(v.string(), v.maxLength(4096)),
  subjectCut: v.optional(v.boolean()),
  fromCut: v.optional(v.boolean()),
  date: timestamp,
  /** Plain text. HTML mail arrives here already converted; the extension renders it as text. */
  text: v.string(),
  /** The text is the start of the message's text: the rest is in webmail. */
  truncated: v.boolean(),
  /** The first 20 attachments. */
  attachments: v.pipe(v.array(AttachmentSchema), v.maxLength(20)),
  /** How many attachments the message has (more than listed when over 20). */
  attachmentTotal: count,
});
export type Body = v.InferOutput<typeof BodySchema>;

export const FolderSchema = v.strictObject({ path: folderPath, specialUse: v.optional(shortText) });
export type Folder = v.InferOutput<typeof FolderSchema>;
/** Folders of an account, and the ones archive and delete would use now (absent: none found). */
export const FolderListSchema = v.strictObject({
  folders: v.pipe(v.array(FolderSchema), v.maxLength(2000)),
  archive: v.optional(folderPath),
  trash: v.optional(folderPath),
});
export type FolderList = v.InferOutput<typeof FolderListSchema>;

const Empty = v.strictObject({});
/** The helper's version goes to a client once it is authenticated (not in hello: an unpaired peer learns nothing). */
const helperVersion = v.optional(shortText);
export const ResultSchemas = {
  pair: v.strictObject({ token: v.string(), helperVersion }),
  auth: v.strictObject({ helperVersion }),
  ping: v.strictObject({ at: timestamp }),
  'get-body': BodySchema,
  'set-seen': Empty,
  'mark-all-read': v.strictObject({ marked: count }),
  archive: Empty,
  delete: Empty,
  'add-account': v.strictObject({ account: AccountStatusSchema }),
  'test-account': v.strictObject({ ok: v.literal(true) }),
  'update-account': v.strictObject({ account: AccountStatusSchema }),
  'remove-account': Empty,
  'retry-login': Empty,
  'get-login-log': v.strictObject({ entries: v.array(LoginLogEntrySchema) }),
  'list-folders': FolderListSchema,
} satisfies Record<ClientRequestType, v.GenericSchema>;
export type ResultOf<T extends ClientRequestType> = v.InferOutput<(typeof ResultSchemas)[T]>;

// ---------------------------------------------------------------- helper → extension

export const HelloSchema = v.strictObject({
  type: v.literal('hello'),
  protocol: count,
  /** Sent by helpers before the auth result carried it; today's helper sends only the protocol. */
  helperVersion: v.optional(shortText),
});

export const ServerMessageSchema = v.variant('type', [
  HelloSchema,
  /** Reply to a request: `data` is checked against ResultSchemas[request type] by the caller. */
  v.strictObject({ type: v.literal('result'), id, data: v.unknown() }),
  v.strictObject({
    type: v.literal('error'),
    id: v.optional(id),
    code: v.picklist(ERROR_CODES),
    message: shortText,
  }),
  /** The full truth for one account: sent after auth and after every resync. */
  v.strictObject({
    type: v.literal('snapshot'),
    account: AccountStatusSchema,
    previews: v.array(PreviewSchema),
  }),
  /** A change to one account's unread list. `notify` names the added messages that are new mail. */
  v.strictObject({
    type: v.literal('delta'),
    accountId,
    added: v.array(PreviewSchema),
    removed: v.array(MessageKeySchema),
    notify: v.array(MessageKeySchema),
    unreadCount: count,
  }),
  v.strictObject({ type: v.literal('account'), account: AccountStatusSchema }),
  v.strictObject({ type: v.literal('account-removed'), accountId }),
]);
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;
export type Hello = v.InferOutput<typeof HelloSchema>;
export type SnapshotMessage = Extract<ServerMessage, { type: 'snapshot' }>;
export type DeltaMessage = Extract<ServerMessage, { type: 'delta' }>;
export type ErrorMessage = Extract<ServerMessage, { type: 'error' }>;

// ---------------------------------------------------------------- parsing

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: ErrorMessage };

function fail(code: ErrorCode, message: string, requestId?: string): { ok: false; error: ErrorMessage } {
  return { ok: false, error: { type: 'error', code, message: message.slice(0, 1024), ...(requestId ? { id: requestId } : {}) } };
}

/** The id of a frame that failed validation, when it has a usable one, so the error can be matched. */
function salvageId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = (value as { id?: unknown }).id;
  return v.is(id, candidate) ? candidate : undefined;
}

/** UTF-8 size without Node's Buffer (the extension has none); skips the encoding when it can't matter. */
function utf8Length(raw: string): number {
  return raw.length * 3 <= MAX_CLIENT_FRAME_BYTES ? raw.length : new TextEncoder().encode(raw).length;
}

function parseFrame<T>(
  raw: string,
  maxBytes: number,
  schema: v.GenericSchema<unknown, T>,
  knownTypes: readonly string[],
): Parsed<T> {
  if (utf8Length(raw) > maxBytes) return fail('too-large', `Frame larger than ${maxBytes} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('bad-json', 'Frame is not valid JSON.');
  }
  const requestId = salvageId(value);
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !knownTypes.includes(type)) {
    return fail('unknown-type', `Unknown message type${typeof type === 'string' ? ` "${type.slice(0, 40)}"` : ''}.`, requestId);
  }
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || 'message';
    return fail('invalid', `Invalid ${type}: ${where}: ${issue.message}`, requestId);
  }
  return { ok: true, message: result.output };
}

const clientTypes = ClientMessageSchema.options.map((o) => o.entries.type.literal);
const serverTypes = ServerMessageSchema.options.map((o) => o.entries.type.literal);

export function parseClientMessage(raw: string): Parsed<ClientMessage> {
  return parseFrame(raw, MAX_CLIENT_FRAME_BYTES, ClientMessageSchema, clientTypes);
}

export function parseServerMessage(raw: string): Parsed<ServerMessage> {
  return parseFrame(raw, MAX_SERVER_FRAME_BYTES, ServerMessageSchema, serverTypes);
}

/** Checks a `result` payload against the schema of the request it answers. */
export function parseResult<T extends ClientRequestType>(type: T, data: unknown): ResultOf<T> | undefined {
  const result = v.safeParse(ResultSchemas[type], data);
  return result.success ? (result.output as ResultOf<T>) : undefined;
}

/** Both sides say the same thing about a mismatch, naming the side to update. */
export function versionMismatchMessage(helperProtocol: number, extensionProtocol: number): string {
  return helperProtocol < extensionProtocol
    ? `The helper speaks protocol ${helperProtocol} and the extension ${extensionProtocol}: update the helper.`
    : `The helper speaks protocol ${helperProtocol} and the extension ${extensionProtocol}: update the extension.`;
}

/** The one way to name a message by its key alone (from a preview, a body, or a notification). */
export function keyOf(item: { key: MessageKey }): MessageKey {
  return item.key;
}

export function messageKeyString(key: MessageKey): string {
  return `${key.mailbox}\u0000${key.uidValidity}\u0000${key.uid}`;
}
