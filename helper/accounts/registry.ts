/**
 * All accounts of the helper: one AccountSession each (so one IMAP connection each), with its
 * settings, its password in the secret store, its login policy and new-mail marks on disk.
 * Implements the MailService the WebSocket server drives; knows nothing about sockets.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { AccountChanges, AccountStatus, Body, FolderList, LoginLogEntry, MessageKey, NewAccount } from '../../protocol';
import { AccountSession, SessionError, type SessionDelta, type SessionSnapshot, type SessionTuning } from '../mail/account-session';
import type { Clock } from '../mail/clock';
import { systemClock } from '../mail/clock';
import { NewMailMarks } from '../mail/new-mail-marks';
import { LoginPolicy } from '../policy/login-policy';
import { isIcloudHost } from '../policy/password-shape';
import { addAccount, loadConfig, removeAccount, saveConfig, updateAccount, type AccountConfig, type HelperConfig } from '../store/config';
import { FilePolicyStore } from '../store/policy-store';
import type { SecretStore } from '../store/secrets';
import { FileMarkStore } from '../store/mark-store';
import { MailServiceError, type AccountSnapshot, type MailService, type MailServiceEvents } from './mail-service';
import { accountIdFor } from './account-naming';
import { loginFailureMessage } from './login-messages';

export interface RegistryOptions {
  configDir: string;
  stateDir: string;
  secrets: SecretStore;
  clock?: Clock;
  random?: () => number;
  tuning?: Partial<SessionTuning>;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

interface Entry {
  account: AccountConfig;
  session: AccountSession;
  policy: LoginPolicy;
  /** Runs when the account goes away (the demo account closes its server). */
  onRemove?: () => Promise<void>;
}

/** A mailbox the helper itself serves on loopback (the demo account); never saved to settings. */
export interface LocalMailbox {
  host: string;
  port: number;
  username: string;
  password: string;
  close(): Promise<void>;
}

export const DEMO_ACCOUNT_ID = 'demo';

const ICLOUD_WEBMAIL = 'https://www.icloud.com/mail/';

export class AccountRegistry extends EventEmitter implements MailService {
  private config: HelperConfig = { version: 1, accounts: [] };
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;

  private constructor(private readonly opts: RegistryOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
  }

  /** Loads the settings and starts one session per account. */
  static async open(opts: RegistryOptions): Promise<AccountRegistry> {
    const registry = new AccountRegistry(opts);
    registry.config = await loadConfig(opts.configDir);
    for (const account of registry.config.accounts) {
      const entry = await registry.prepare(account);
      entry.session.start();
    }
    return registry;
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map(async (entry) => {
      await entry.session.stop();
      await entry.onRemove?.();
    }));
  }

  get accountCount(): number {
    return this.entries.size;
  }

  /**
   * The demo account: a local mailbox served by the helper, going through the same session,
   * events and protocol as a real account. It leaves when the first real account is added.
   */
  async addDemoAccount(mailbox: LocalMailbox): Promise<void> {
    const account: AccountConfig = {
      id: DEMO_ACCOUNT_ID,
      label: 'Demo (a local mailbox, not a real account)',
      kind: 'demo',
      host: mailbox.host,
      port: mailbox.port,
      tls: false,
      username: mailbox.username,
      watchedFolders: [],
      previewCount: 50,
    };
    const entry = await this.prepare(account, { password: mailbox.password });
    entry.onRemove = () => mailbox.close();
    entry.session.start();
  }

  snapshots(): AccountSnapshot[] {
    return [...this.entries.values()].map((entry) => ({ account: this.status(entry), previews: entry.session.previews() }));
  }

  override on<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof MailServiceEvents>(event: E, listener: MailServiceEvents[E]): this {
    return super.off(event, listener);
  }

  // ------------------------------------------------------------------ mail actions

  getBody(accountId: string, key: MessageKey, markSeen: boolean): Promise<Body> {
    return this.act(accountId, (s) => s.getBody(key, markSeen));
  }

  setSeen(accountId: string, keys: MessageKey[], seen: boolean): Promise<void> {
    return this.act(accountId, (s) => s.setSeen(keys, seen));
  }

  markAllRead(accountId: string): Promise<number> {
    return this.act(accountId, (s) => s.markAllRead());
  }

  archive(accountId: string, key: MessageKey): Promise<void> {
    return this.act(accountId, (s) => s.archive(key));
  }

  delete(accountId: string, key: MessageKey): Promise<void> {
    return this.act(accountId, (s) => s.delete(key));
  }

  private async act<T>(accountId: string, work: (session: AccountSession) => Promise<T>): Promise<T> {
    const entry = this.entry(accountId);
    try {
      return await work(entry.session);
    } catch (err) {
      if (err instanceof SessionError) throw new MailServiceError(err.code, err.message);
      throw err;
    }
  }

  // ------------------------------------------------------------------ accounts

  async addAccount(input: NewAccount): Promise<AccountStatus> {
    const account = this.newAccountConfig(input, `${input.username.trim()} on ${input.host.trim()} is already added.`);
    const entry = await this.prepare(account, { register: false });
    const client = await this.loginOnce(entry, input.password, 'add-account');
    try {
      await this.opts.secrets.set(account.id, input.password);
      await this.saveConfig(addAccount(this.config, account));
    } catch (err) {
      await client.logout().catch(() => client.close());
      throw err;
    }
    this.entries.set(account.id, entry);
    // The session adopts the logged-in client: adding an account costs exactly one login.
    entry.session.start(client);
    if (this.entries.has(DEMO_ACCOUNT_ID)) await this.removeAccount(DEMO_ACCOUNT_ID);
    return this.status(entry);
  }

  async testAccount(input: NewAccount): Promise<void> {
    // An added account's session holds the one connection it may have; a test would open a second.
    const account = this.newAccountConfig(
      input,
      `${input.username.trim()} on ${input.host.trim()} is already added: its state shows whether it works. To try a new password, change it in the account's settings.`,
    );
    const entry = await this.prepare(account, { register: false });
    const client = await this.loginOnce(entry, input.password, 'add-account');
    await client.logout().catch(() => client.close());
  }

  /** Settings for an account the user is adding; `duplicateMessage` if it is there already. */
  private newAccountConfig(input: NewAccount, duplicateMessage: string): AccountConfig {
    const host = input.host.trim().toLowerCase();
    const username = input.username.trim();
    if (this.config.accounts.some((a) => a.host === host && a.username === username)) {
      throw new MailServiceError('invalid', duplicateMessage);
    }
    return {
      id: accountIdFor(username, host, new Set(this.entries.keys())),
      label: input.label?.trim() || username,
      kind: input.kind,
      host,
      port: input.port,
      tls: input.tls,
      ...(!input.tls && input.allowUnencrypted ? { allowUnencrypted: true } : {}),
      username,
      watchedFolders: [],
      previewCount: 50,
    };
  }

  async updateAccount(accountId: string, changes: AccountChanges): Promise<AccountStatus> {
    const entry = this.entry(accountId);
    const { password, ...settings } = changes;
    // A folder the user typed that the server lacks is created first, so a saved choice always exists.
    const named = [settings.archiveFolder, settings.deleteMode === 'expunge' ? undefined : settings.trashFolder].filter((p): p is string => !!p);
    if (named.length > 0) await this.act(accountId, (s) => s.ensureFolders(named));
    if (Object.keys(settings).length > 0) {
      await this.saveConfig(updateAccount(this.config, accountId, settings));
      // The session holds this same object: label, folders and preview count apply at once.
      Object.assign(entry.account, settings);
    }
    if (password !== undefined) {
      await this.opts.secrets.set(accountId, password);
      await entry.policy.newPassword();
      entry.session.wake();
    }
    // A new preview count changes the list itself: the session sends it whole, so every browser shows that many.
    if (settings.previewCount !== undefined) entry.session.previewCountChanged();
    const status = this.status(entry);
    this.emit('account', status);
    return status;
  }

  async removeAccount(accountId: string): Promise<void> {
    const entry = this.entry(accountId);
    await entry.session.stop();
    this.entries.delete(accountId);
    if (entry.onRemove) await entry.onRemove();
    else {
      await this.saveConfig(removeAccount(this.config, accountId));
      await this.opts.secrets.delete(accountId);
    }
    // The login log and budget stay on disk: adding the account again must not reset them.
    this.emit('account-removed', accountId);
  }

  async retryLogin(accountId: string): Promise<void> {
    const entry = this.entry(accountId);
    // A retry is a login the user asked for: none is owed to a connected account.
    if (['connecting', 'syncing', 'idle'].includes(entry.session.state.state)) {
      throw new MailServiceError('invalid', `${entry.account.label} is connected (or connecting) now: there is nothing to retry.`);
    }
    const result = await entry.policy.userRetry();
    if (!result.ok) throw new MailServiceError('login-not-allowed', result.reason);
    entry.session.wake();
  }

  async loginLog(accountId: string): Promise<LoginLogEntry[]> {
    return this.entry(accountId).policy.log();
  }

  async listFolders(accountId: string): Promise<FolderList> {
    const { folders, archive, trash } = await this.act(accountId, (s) => s.listFolders());
    return {
      folders: folders.slice(0, 2000).map(({ path, specialUse }) => ({ path, ...(specialUse ? { specialUse } : {}) })),
      ...(archive ? { archive } : {}),
      ...(trash ? { trash } : {}),
    };
  }

  // ------------------------------------------------------------------ internals

  private entry(accountId: string): Entry {
    const entry = this.entries.get(accountId);
    if (!entry) throw new MailServiceError('not-found', 'No such account: it may have been removed.');
    return entry;
  }

  private async prepare(account: AccountConfig, { register = true, password }: { register?: boolean; password?: string } = {}): Promise<Entry> {
    const { stateDir } = this.opts;
    const policy = new LoginPolicy({
      store: new FilePolicyStore({ stateDir, accountId: account.id }),
      now: () => this.clock.now(),
      random: this.opts.random ?? Math.random,
    });
    await policy.load();
    const marks = new NewMailMarks(new FileMarkStore(join(stateDir, `marks-${account.id}.json`)));
    await marks.load();
    const session = new AccountSession({
      account,
      password: async () => password ?? (await this.opts.secrets.get(account.id)) ?? undefined,
      policy,
      marks,
      clock: this.clock,
      tuning: this.opts.tuning,
      log: this.opts.log,
    });
    const entry: Entry = { account, session, policy };
    session.on('status', () => this.entries.get(account.id) === entry && this.emit('account', this.status(entry)));
    session.on('snapshot', (snapshot: SessionSnapshot) =>
      this.emit('snapshot', { account: this.status(entry), previews: snapshot.previews }),
    );
    session.on('delta', (delta: SessionDelta) => this.emit('delta', { accountId: account.id, ...delta }));
    if (register) this.entries.set(account.id, entry);
    return entry;
  }

  /** One login for add/test, under the policy; failures become messages a user can act on. */
  private async loginOnce(entry: Entry, password: string, trigger: 'add-account') {
    // The user typed this password just now: that is the user acting after a rejection.
    await entry.policy.newPassword();
    const decision = entry.policy.decide();
    if (decision.kind !== 'login') throw new MailServiceError('login-not-allowed', decision.reason);
    const result = await entry.session.tryLogin(password, trigger);
    if ('client' in result) return result.client;
    const { code, message } = loginFailureMessage(entry.account, result.outcome, result.reason);
    throw new MailServiceError(code, message);
  }

  private async saveConfig(next: HelperConfig): Promise<void> {
    await saveConfig(this.opts.configDir, next);
    this.config = next;
  }

  private status(entry: Entry): AccountStatus {
    const { account, session } = entry;
    const state = session.state;
    return {
      id: account.id,
      label: account.label,
      kind: account.kind,
      host: account.host,
      username: account.username,
      state: state.state,
      ...(state.reason ? { stateReason: state.reason.slice(0, 1024) } : {}),
      ...(state.until ? { until: state.until } : {}),
      ...(state.lastAliveAt ? { lastAliveAt: state.lastAliveAt } : {}),
      unreadCount: session.unreadCount,
      passwordStore: this.opts.secrets.kind,
      previewCount: account.previewCount,
      ...(account.archiveFolder ? { archiveFolder: account.archiveFolder } : {}),
      ...(account.trashFolder ? { trashFolder: account.trashFolder } : {}),
      ...(account.deleteMode ? { deleteMode: account.deleteMode } : {}),
      ...(account.kind === 'icloud' || isIcloudHost(account.host) ? { webmailUrl: ICLOUD_WEBMAIL } : {}),
    };
  }
}
