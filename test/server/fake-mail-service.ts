/**
 * An in-memory MailService that keeps the contract: unknown accounts are `not-found`, changes to
 * the unread list are announced as deltas, new or removed accounts as snapshot/account-removed.
 * Records every call so tests can check what the server asked of it, and nothing more.
 */
import { withTimeout } from '../harness/wait';
import {
  MailServiceError,
  type AccountSnapshot,
  type MailService,
  type MailServiceEvents,
} from '../../helper/accounts/mail-service';
import {
  keyOf,
  messageKeyString,
  type AccountChanges,
  type AccountStatus,
  type Body,
  type FolderList,
  type LoginLogEntry,
  type MessageKey,
  type NewAccount,
  type Preview,
} from '../../protocol';

export interface RecordedCall {
  method: string;
  args: unknown[];
}

type ListenerSets = { [E in keyof MailServiceEvents]: Set<MailServiceEvents[E]> };

export function makeAccount(id: string, overrides: Partial<AccountStatus> = {}): AccountStatus {
  return {
    id,
    label: `Account ${id}`,
    kind: 'imap',
    host: 'imap.example.test',
    username: `${id}@example.test`,
    state: 'idle',
    unreadCount: 0,
    passwordStore: 'file',
    ...overrides,
  };
}

export function makePreview(uid: number, overrides: Partial<Omit<Preview, 'key'>> = {}): Preview {
  return {
    key: { mailbox: 'INBOX', uidValidity: 7, uid },
    from: { name: 'Sender', address: 'sender@example.test' },
    subject: `Message ${uid}`,
    date: 1_700_000_000_000 + uid,
    snippet: `Snippet of ${uid}`,
    seen: false,
    ...overrides,
  };
}

export class FakeMailService implements MailService {
  readonly calls: RecordedCall[] = [];
  /** Thrown by the next method call instead of doing anything (after recording the call). */
  failNext: Error | null = null;
  /** While set, retryLogin (after recording the call) waits for it: a slow server. */
  private slow: Promise<void> | null = null;
  private readonly slowEntered = new Set<() => void>();
  private readonly accounts = new Map<string, AccountSnapshot>();
  private readonly listeners: ListenerSets = {
    snapshot: new Set(),
    delta: new Set(),
    account: new Set(),
    'account-removed': new Set(),
  };

  constructor(initial: AccountSnapshot[] = []) {
    for (const snapshot of initial) this.accounts.set(snapshot.account.id, snapshot);
  }

  snapshots(): AccountSnapshot[] {
    return [...this.accounts.values()];
  }

  on<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): void {
    this.listeners[event].add(listener);
  }

  off<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): void {
    this.listeners[event].delete(listener);
  }

  listenerCount(): number {
    return Object.values(this.listeners).reduce((sum, set) => sum + set.size, 0);
  }

  emit<E extends keyof MailServiceEvents>(event: E, ...args: Parameters<MailServiceEvents[E]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: Parameters<MailServiceEvents[E]>) => void)(...args);
  }

  async getBody(accountId: string, key: MessageKey, markSeen: boolean): Promise<Body> {
    const snapshot = this.enter('getBody', [accountId, key, markSeen], accountId);
    const preview = snapshot.previews.find((p) => messageKeyString(p.key) === messageKeyString(key));
    if (!preview) throw new MailServiceError('not-found', 'That message is gone.');
    if (markSeen) this.removePreviews(snapshot, [key]);
    return {
      key: preview.key, from: preview.from, to: [], toTotal: 0, subject: preview.subject, date: preview.date,
      text: `Body of ${preview.key.uid}`, truncated: false, attachments: [], attachmentTotal: 0,
    };
  }

  async setSeen(accountId: string, keys: MessageKey[], seen: boolean): Promise<void> {
    const snapshot = this.enter('setSeen', [accountId, keys, seen], accountId);
    if (seen) this.removePreviews(snapshot, keys);
  }

  async markAllRead(accountId: string): Promise<number> {
    const snapshot = this.enter('markAllRead', [accountId], accountId);
    const count = snapshot.previews.length;
    this.removePreviews(snapshot, snapshot.previews.map(keyOf));
    return count;
  }

  async archive(accountId: string, key: MessageKey): Promise<void> {
    this.removePreviews(this.enter('archive', [accountId, key], accountId), [key]);
  }

  async delete(accountId: string, key: MessageKey): Promise<void> {
    this.removePreviews(this.enter('delete', [accountId, key], accountId), [key]);
  }

  async addAccount(input: NewAccount): Promise<AccountStatus> {
    this.enter('addAccount', [input]);
    const id = input.username.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 60) || 'account';
    if (this.accounts.has(id)) throw new MailServiceError('invalid', 'That account is already set up.');
    const account = makeAccount(id, { label: input.label ?? input.username, kind: input.kind, host: input.host, username: input.username });
    const snapshot = { account, previews: [] };
    this.accounts.set(id, snapshot);
    this.emit('snapshot', snapshot);
    return account;
  }

  async testAccount(input: NewAccount): Promise<void> {
    this.enter('testAccount', [input]);
    if (input.password === 'wrong') throw new MailServiceError('auth-rejected', 'The server refused the user name or password.');
  }

  async updateAccount(accountId: string, changes: AccountChanges): Promise<AccountStatus> {
    const snapshot = this.enter('updateAccount', [accountId, changes], accountId);
    if (changes.label !== undefined) snapshot.account = { ...snapshot.account, label: changes.label };
    this.emit('account', snapshot.account);
    return snapshot.account;
  }

  async removeAccount(accountId: string): Promise<void> {
    this.enter('removeAccount', [accountId], accountId);
    this.accounts.delete(accountId);
    this.emit('account-removed', accountId);
  }

  async retryLogin(accountId: string): Promise<void> {
    this.enter('retryLogin', [accountId], accountId);
    for (const wake of this.slowEntered) wake();
    await this.slow;
  }

  /** Makes retryLogin calls wait until `release()`; `entered(n)` resolves once n calls are waiting. */
  slowDown(): { release(): void; entered(count: number): Promise<void> } {
    let release = () => undefined as void;
    this.slow = new Promise((resolve) => (release = resolve));
    const calls = () => this.calls.filter((c) => c.method === 'retryLogin').length;
    return {
      release: () => {
        this.slow = null;
        release();
      },
      entered: (count) =>
        withTimeout(
          new Promise<void>((resolve) => {
            const check = () => calls() >= count && (this.slowEntered.delete(check), resolve());
            this.slowEntered.add(check);
            check();
          }),
          5000,
          `${count} retryLogin calls`,
        ),
    };
  }

  async loginLog(accountId: string): Promise<LoginLogEntry[]> {
    this.enter('loginLog', [accountId], accountId);
    return [{ at: 1_700_000_000_000, outcome: 'success', reason: 'Logged in.', trigger: 'start' }];
  }

  async listFolders(accountId: string): Promise<FolderList> {
    this.enter('listFolders', [accountId], accountId);
    return { folders: [{ path: 'INBOX' }, { path: 'Archive', specialUse: '\\Archive' }], archive: 'Archive' };
  }

  /** Records the call, then fails as asked or as the contract says for an unknown account. */
  private enter(method: string, args: unknown[]): void;
  private enter(method: string, args: unknown[], accountId: string): AccountSnapshot;
  private enter(method: string, args: unknown[], accountId?: string): AccountSnapshot | void {
    this.calls.push({ method, args: structuredClone(args) });
    const failure = this.failNext;
    if (failure) {
      this.failNext = null;
      throw failure;
    }
    if (accountId === undefined) return;
    const snapshot = this.accounts.get(accountId);
    if (!snapshot) throw new MailServiceError('not-found', `No account ${accountId}.`);
    return snapshot;
  }

  private removePreviews(snapshot: AccountSnapshot, keys: MessageKey[]): void {
    const gone = new Set(keys.map(messageKeyString));
    const removed = snapshot.previews.filter((p) => gone.has(messageKeyString(p.key)));
    if (removed.length === 0) return;
    snapshot.previews = snapshot.previews.filter((p) => !gone.has(messageKeyString(p.key)));
    snapshot.account = { ...snapshot.account, unreadCount: snapshot.previews.length };
    this.emit('delta', {
      accountId: snapshot.account.id,
      added: [],
      removed: removed.map(keyOf),
      notify: [],
      unreadCount: snapshot.previews.length,
    });
  }
}
