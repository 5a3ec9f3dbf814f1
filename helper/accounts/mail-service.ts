/**
 * What the WebSocket server needs from the accounts side: the contract between
 * helper/server (sockets, auth, fan-out) and helper/accounts (IMAP sessions, config, secrets).
 * The server knows nothing about IMAP; the accounts side knows nothing about sockets.
 */
import type {
  AccountChanges,
  AccountStatus,
  Body,
  DeltaMessage,
  ErrorCode,
  FolderList,
  LoginLogEntry,
  MessageKey,
  NewAccount,
  Preview,
} from '../../protocol';

export interface AccountSnapshot {
  account: AccountStatus;
  /** Newest first, at most the account's preview count. */
  previews: Preview[];
}

export interface MailServiceEvents {
  /** The whole truth for one account changed (first sync, resync, reconnect). */
  snapshot: (snapshot: AccountSnapshot) => void;
  /** A change to the unread list. */
  delta: (delta: Omit<DeltaMessage, 'type'>) => void;
  /** State, reason or counts changed without a list change. */
  account: (account: AccountStatus) => void;
  'account-removed': (accountId: string) => void;
}

/**
 * Errors thrown by MailService methods carry a protocol error code and a message a user can act
 * on; the server forwards both as they are.
 */
export class MailServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MailServiceError';
  }
}

export interface MailService {
  snapshots(): AccountSnapshot[];
  on<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): void;
  off<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): void;

  getBody(accountId: string, key: MessageKey, markSeen: boolean): Promise<Body>;
  setSeen(accountId: string, keys: MessageKey[], seen: boolean): Promise<void>;
  markAllRead(accountId: string): Promise<number>;
  archive(accountId: string, key: MessageKey): Promise<void>;
  delete(accountId: string, key: MessageKey): Promise<void>;

  /** One login (under the login policy); the account is saved only when it succeeds. */
  addAccount(input: NewAccount): Promise<AccountStatus>;
  /** One login (under the login policy), nothing saved. */
  testAccount(input: NewAccount): Promise<void>;
  updateAccount(accountId: string, changes: AccountChanges): Promise<AccountStatus>;
  removeAccount(accountId: string): Promise<void>;
  retryLogin(accountId: string): Promise<void>;
  loginLog(accountId: string): Promise<LoginLogEntry[]>;
  /** The account's folders (over its one connection), and those archive and delete use now. */
  listFolders(accountId: string): Promise<FolderList>;
}
