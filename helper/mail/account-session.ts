/**
 * One account's IMAP session: exactly one imapflow connection at a time, INBOX selected and in
 * IDLE, every operation of the account over it. Logins go through the login policy; a link that
 * dies (closed, silent, or the machine slept) is replaced under that same policy.
 *
 * Events: `status` (state changes), `snapshot` (the whole unread list), `delta` (changes).
 */
import { EventEmitter } from 'node:events';
import { ImapFlow, type ImapFlowOptions, type MailboxObject } from 'imapflow';
import type { AccountState, Body, DeleteMode, MessageKey, Preview } from '../../protocol';
import { systemClock, withDeadline, DeadlineError, type Clock } from './clock';
import { NewMailPace } from './new-mail-pace';
import { LivenessWatch, type ProbeReason } from './liveness';
import { MailboxView, type UnreadChange } from './mailbox-view';
import type { NewMailMarks } from './new-mail-marks';
import { fetchBody, fetchPreviews } from './message-fetch';
import { missingFolderMessage, pickFolder, type FolderUse, type ListedFolder } from './folders';
import { transportSecurity } from './transport-security';
import { LoginCommandWatch, type LoginPhase } from './login-command';
import { classifyLoginError, checkPasswordShape } from '../policy/login-policy';
import type { AttemptOutcome, ConnectFailure, Decision, LoginTrigger } from '../policy/login-policy';

const INBOX = 'INBOX';
/** After the loop itself failed (storage), the next try. */
const RETRY_AFTER_ERROR_MS = 60_000;

export interface SessionAccount {
  id: string;
  host: string;
  port: number;
  tls: boolean;
  /** Without TLS and STARTTLS, log in anyway (the user ticked it; see transport-security). */
  allowUnencrypted?: boolean;
  username: string;
  watchedFolders: string[];
  archiveFolder?: string;
  trashFolder?: string;
  deleteMode?: DeleteMode;
  previewCount: number;
}

/** The part of the login policy a session drives (LoginPolicy implements it). */
export interface LoginGate {
  decide(): Decision;
  /** Before a connection is opened; rejects when the attempt could not be recorded (a full disk). */
  prepareAttempt(): Promise<void>;
  /** Right before the login command is sent; resolves with the trigger the attempt is logged under. */
  beginAttempt(trigger: LoginTrigger): Promise<LoginTrigger>;
  /** The attempt begun never sent its command (the connection was closed first). */
  cancelAttempt(): Promise<void>;
  finishAttempt(outcome: AttemptOutcome, reason: string): Promise<void>;
  /** The connection failed before any login command was sent. */
  connectFailed(outcome: ConnectFailure, reason: string): Promise<void>;
  connectionLost(loggedInAt: number, reason: string): Promise<void>;
}

export type LoginResult = { client: ImapFlow } | { outcome: AttemptOutcome | 'password-shape'; reason: string };

export interface SessionTuning {
  /** Server quiet for this long → NOOP probe. */
  heartbeatMs: number;
  tickMs: number;
  clockJumpMs: number;
  /** A probe or command unanswered for this long means the link is dead. */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** imapflow's own inactivity timer: a backstop behind the heartbeat. */
  socketTimeoutMs: number;
  /** Re-issue IDLE this often (RFC 2177 asks for < 29 min; some servers drop at ~10). */
  maxIdleTimeMs: number;
  /** STATUS of watched folders between IDLE periods. */
  folderPollMs: number;
  /** New mail within this long of the last round of new mail waits until then (new-mail-pace.ts). */
  newMailPaceMs: number;
}

/** Detection bound of a silent link: heartbeat + one tick + the probe deadline = 4.5 min < 5 min. */
export const DEFAULT_TUNING: SessionTuning = {
  heartbeatMs: 4 * 60_000 - 30_000,
  tickMs: 10_000,
  clockJumpMs: 30_000,
  commandTimeoutMs: 30_000,
  connectTimeoutMs: 30_000,
  socketTimeoutMs: 5 * 60_000,
  maxIdleTimeMs: 10 * 60_000,
  folderPollMs: 2 * 60_000,
  newMailPaceMs: 1_000,
};

export interface SessionStatus {
  state: AccountState;
  reason?: string;
  until?: number;
  lastAliveAt?: number;
}

export interface SessionDelta {
  added: Preview[];
  removed: MessageKey[];
  notify: MessageKey[];
  unreadCount: number;
}

export interface SessionSnapshot {
  previews: Preview[];
  unreadCount: number;
}

export interface SessionDeps {
  account: SessionAccount;
  password: () => Promise<string | undefined>;
  policy: LoginGate;
  marks: NewMailMarks;
  clock?: Clock;
  tuning?: Partial<SessionTuning>;
  /** For tests that count or replace clients; the default makes a real one. */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

export class SessionError extends Error {
  constructor(
    readonly code: 'not-connected' | 'not-found' | 'server-refused' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export class AccountSession extends EventEmitter {
  private readonly clock: Clock;
  private readonly tuning: SessionTuning;
  private readonly views = new Map<string, MailboxView>();
  private readonly folderStatus = new Map<string, string>();
  private client: ImapFlow | null = null;
  private uidNext = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private status: SessionStatus = { state: 'stopped' };
  private stopped = true;
  private wakeUp: (() => void) | null = null;
  private linkClosed: ((reason: string) => void) | null = null;
  private readonly liveness: LivenessWatch;
  private folderTimer: unknown = null;
  private snapshotSent = false;
  /**
   * Set for each new connection: its first sync is sent as a snapshot, so listeners that missed a
   * change the last connection died in the middle of publishing get the whole truth again.
   */
  private needsSnapshot = true;
  private running: Promise<void> | null = null;
  private pending = emptyPending();
  private readonly newMailPace: NewMailPace;
  /** Closes the connection being set up (stop() must not let a login finish after it). */
  private abortConnect: (() => Promise<void>) | null = null;

  /** The account's settings; the registry changes them in place when the user edits the account. */
  get account(): SessionAccount {
    return this.deps.account;
  }

  constructor(private readonly deps: SessionDeps) {
    super();
    this.clock = deps.clock ?? systemClock;
    this.tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    this.newMailPace = new NewMailPace(this.tuning.newMailPaceMs);
    this.liveness = new LivenessWatch({
      clock: this.clock,
      heartbeatMs: this.tuning.heartbeatMs,
      tickMs: this.tuning.tickMs,
      clockJumpMs: this.tuning.clockJumpMs,
      probe: (reason) => this.probe(reason),
    });
  }

  get state(): SessionStatus {
    return { ...this.status, lastAliveAt: this.client ? this.liveness.lastAliveAt : this.status.lastAliveAt };
  }

  get unreadCount(): number {
    let total = 0;
    for (const view of this.views.values()) total += view.unreadCount;
    return total;
  }

  previews(): Preview[] {
    const all = [...this.views.values()].flatMap((view) => view.listPreviews(this.deps.account.previewCount));
    return all.sort((a, b) => b.date - a.date || b.key.uid - a.key.uid).slice(0, this.deps.account.previewCount);
  }

  /** Starts the connect → sync → idle loop; `initialClient` is an already logged-in client to adopt. */
  start(initialClient?: ImapFlow): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop(initialClient).finally(() => (this.running = null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    this.dropLink('stopped');
    await this.abortConnect?.();
    await this.running;
    this.setStatus({ state: 'stopped' });
  }

  /** Re-reads the policy now: after a user retry, a new password, or a change of settings. */
  wake(): void {
    this.wakeUp?.();
  }

  // ------------------------------------------------------------------ the connection loop

  private async loop(initialClient?: ImapFlow): Promise<void> {
    let adopted = initialClient;
    while (!this.stopped) {
      let client: ImapFlow | null | undefined = adopted;
      adopted = undefined;
      try {
        if (!client) {
          const decision = this.deps.policy.decide();
          if (decision.kind !== 'login') {
            this.setStatus(
              decision.kind === 'blocked'
                ? { state: decision.state, reason: decision.reason }
                : { state: decision.state, reason: decision.reason, until: decision.until },
            );
            await this.sleepUntil(decision.kind === 'wait' ? decision.until : Infinity);
            continue;
          }
          client = await this.login();
          if (!client) continue;
        }
        const loggedInAt = this.clock.now();
        const reason = await this.serve(client);
        if (!this.stopped) await this.deps.policy.connectionLost(loggedInAt, reason);
      } catch (err) {
        // What can fail here is storage (a full or read-only disk, a keychain that stopped
        // answering): no login may happen that is not on disk first. Ending the loop would leave
        // the account dead (and the rejection could end the helper): show why, try again later.
        const until = this.clock.now() + RETRY_AFTER_ERROR_MS;
        this.log('loop-failed', { error: errorMessage(err) });
        this.setStatus({ state: 'paused', reason: errorMessage(err), until });
        await this.sleepUntil(until);
      }
    }
  }

  /** The loop's login: a stored password, checked, then one attempt. */
  private async login(): Promise<ImapFlow | null> {
    const password = await this.deps.password();
    if (!password) {
      this.setStatus({ state: 'auth-failed', reason: 'No password is stored for this account: enter it again in the settings.' });
      await this.sleepUntil(Infinity);
      return null;
    }
    this.setStatus({ state: 'connecting' });
    const result = await this.tryLogin(password, this.snapshotSent ? 'reconnect' : 'start');
    if ('client' in result) {
      // Stopped while the login's answer was on its way: no session may outlive stop().
      if (!this.stopped) return result.client;
      result.client.close();
      return null;
    }
    if (result.outcome === 'password-shape') {
      this.setStatus({ state: 'auth-failed', reason: result.reason });
      await this.sleepUntil(Infinity);
    }
    return null;
  }

  /**
   * One login attempt, and the only way this account ever logs in: the password's shape is
   * checked first (an Apple ID password sent to iCloud is a sure failed login), the connection
   * is set up, and the attempt is recorded by the policy right before the login command goes
   * out (see login-command). Also used to add an account, whose logged-in client the session
   * then adopts.
   */
  async tryLogin(password: string, trigger: LoginTrigger): Promise<LoginResult> {
    const shape = checkPasswordShape(this.deps.account.host, password);
    if (!shape.ok) return { outcome: 'password-shape', reason: shape.message };
    await this.deps.policy.prepareAttempt();
    const client = this.makeClient(password);
    let logged = trigger;
    const watch = new LoginCommandWatch(client, {
      beforeLogin: async () => {
        logged = await this.deps.policy.beginAttempt(trigger);
      },
      takeBack: () => this.deps.policy.cancelAttempt(),
    });
    const abort = async () => {
      const settled = watch.abandon();
      // A refused login can leave the socket open; it would count against the server's cap.
      client.close();
      await settled;
    };
    this.abortConnect = abort;
    try {
      await withDeadline(client.connect(), this.tuning.connectTimeoutMs, 'The server', this.clock);
    } catch (err) {
      await abort();
      return this.failedLogin(watch.phase, watch.hookError, err);
    } finally {
      if (this.abortConnect === abort) this.abortConnect = null;
    }
    try {
      await this.deps.policy.finishAttempt('success', 'logged in');
    } catch (err) {
      // Not recorded: do not keep a connection the policy's files do not know of.
      client.close();
      throw err;
    }
    this.log('logged-in', { trigger: logged });
    return { client };
  }

  /** Records a connection that ended before it was logged in, by how far it got. */
  private async failedLogin(phase: LoginPhase, hookError: unknown, err: unknown): Promise<LoginResult> {
    // The policy could not record the attempt (a full disk): nothing was sent; the loop shows why.
    if (hookError !== undefined) throw hookError;
    const { outcome, reason } = classifyLoginError(err);
    if (phase === 'connecting') {
      // Nothing the server counts as a login was sent: backs off without spending the budget.
      // (A refusal before the login, "LOGINDISABLED", is the server's setup, not the password.)
      const failure: ConnectFailure = outcome === 'auth-rejected' || outcome === 'unknown' ? 'server' : outcome;
      if (!this.stopped) await this.deps.policy.connectFailed(failure, reason);
      this.log('connect-failed', { outcome: failure, reason });
      return { outcome: failure, reason };
    }
    if (phase === 'logged-in') {
      // The server accepted the password; the link died during the setup after it.
      await this.deps.policy.finishAttempt('success', 'logged in');
      if (!this.stopped) await this.deps.policy.connectionLost(this.clock.now(), reason);
      this.log('link-closed', { reason });
      return { outcome: 'network', reason };
    }
    // The login was sent: only an answer from the server says how it went. Anything else (the
    // link died, no answer in time, stop()) may have been a rejection the helper never heard.
    const heard = outcome === 'auth-rejected' || outcome === 'throttled' || serverAnswered(err);
    const result = heard ? { outcome, reason } : { outcome: 'unknown' as const, reason: `no answer to the login: ${reason}` };
    await this.deps.policy.finishAttempt(result.outcome, result.reason);
    this.log('login-failed', result);
    return result;
  }

  private makeClient(password: string): ImapFlow {
    const { account } = this.deps;
    const options: ImapFlowOptions = {
      host: account.host,
      port: account.port,
      // TLS, or STARTTLS (required unless loopback or allowed unencrypted): see transport-security.
      ...transportSecurity(account),
      auth: { user: account.username, pass: password },
      logger: false,
      socketTimeout: this.tuning.socketTimeoutMs,
      maxIdleTime: this.tuning.maxIdleTimeMs,
      // Back into IDLE right after our own commands, so pushes are never held up by quiet time.
      autoIdleDelay: 50,
      connectionTimeout: this.tuning.connectTimeoutMs,
      greetingTimeout: this.tuning.connectTimeoutMs,
      clientInfo: { name: 'mail-notifier' },
    };
    return this.deps.createClient ? this.deps.createClient(options) : new ImapFlow(options);
  }

  /** Runs one logged-in connection until it closes; returns why it closed. */
  private async serve(client: ImapFlow): Promise<string> {
    this.client = client;
    const closed = new Promise<string>((resolve) => {
      let lastError = 'connection closed';
      this.linkClosed = resolve;
      client.on('error', (err: Error) => (lastError = err.message || lastError));
      client.on('close', () => resolve(lastError));
    });
    // News from an earlier connection is void: this one starts with a full sync.
    this.pending = emptyPending();
    client.on('exists', () => this.noteChange({ exists: true }));
    client.on('expunge', () => this.noteChange({ refresh: true }));
    client.on('flags', (event: { uid?: number; flags: Set<string> }) =>
      this.noteChange(event.uid === undefined ? { refresh: true } : { flag: [event.uid, event.flags.has('\\Seen')] }),
    );
    this.liveness.start();
    this.needsSnapshot = true;
    this.setStatus({ state: 'syncing' });
    this.enqueue('first sync', async () => {
      await this.openInbox();
      // Visit watched folders now, so their new-mail marks start here and not at the first poll.
      await this.pollFolders();
      this.setStatus({ state: 'idle' });
    }).catch((err: unknown) => this.dropLink(`sync failed: ${errorMessage(err)}`));
    this.scheduleFolderPoll();
    const reason = await closed;
    this.liveness.stop();
    if (this.folderTimer !== null) this.clock.clearTimeout(this.folderTimer);
    this.folderTimer = null;
    this.client = null;
    this.linkClosed = null;
    client.close();
    this.log('link-closed', { reason });
    if (!this.stopped) this.setStatus({ state: 'connecting', reason: `Reconnecting: ${reason}` });
    return reason;
  }

  /** Drops the current link; the loop then reconnects under the policy. */
  private dropLink(reason: string): void {
    const close = this.linkClosed;
    this.linkClosed = null;
    close?.(reason);
    this.client?.close();
  }

  private sleepUntil(until: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(until)
        ? this.clock.setTimeout(() => done(), Math.max(0, until - this.clock.now()))
        : null;
      const done = () => {
        if (timer !== null) this.clock.clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  // ------------------------------------------------------------------ work on the connection

  /**
   * Every operation runs here, one at a time, under a deadline: a command that gets no answer
   * means the link is dead, and the link is replaced.
   */
  private enqueue<T>(what: string, work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (!this.client) throw new SessionError('not-connected', 'The account is not connected right now; try again in a moment.');
      const result = await withDeadline(work(), this.tuning.commandTimeoutMs, what, this.clock);
      this.liveness.alive();
      return result;
    });
    this.queue = run.catch((err: unknown) => {
      if (err instanceof DeadlineError) this.dropLink(err.message);
      else if (!(err instanceof SessionError)) this.log('operation-failed', { what, error: errorMessage(err) });
    });
    return run;
  }

  private requireClient(): ImapFlow {
    if (!this.client) throw new SessionError('not-connected', 'The account is not connected right now; try again in a moment.');
    return this.client;
  }

  private probe(reason: ProbeReason): void {
    this.log('probe', { reason });
    void this.enqueue(`keep-alive check (${reason})`, () => this.requireClient().noop()).catch(() => undefined);
  }

  private async openInbox(): Promise<void> {
    const mailbox = await this.requireClient().mailboxOpen(INBOX);
    await this.syncSelected(mailbox);
  }

  /** Makes the selected mailbox's view equal the server's: SEARCH UNSEEN, previews, new-mail marks. */
  private async syncSelected(mailbox: MailboxObject): Promise<void> {
    const client = this.requireClient();
    const uidValidity = Number(mailbox.uidValidity);
    let view = this.views.get(mailbox.path);
    const fresh = !view || view.uidValidity !== uidValidity;
    if (!view || fresh) {
      view = new MailboxView(mailbox.path, uidValidity);
      this.views.set(mailbox.path, view);
    }
    if (mailbox.path === INBOX) this.uidNext = mailbox.uidNext;
    const unseen = (await client.search({ seen: false }, { uid: true })) || [];
    const change = view.replaceUnseen(unseen);
    await this.publish(view, change, mailbox.uidNext - 1, fresh || this.needsSnapshot);
  }

  /**
   * The preview count changed: fetch what a larger count lacks and send the whole list again.
   * Without a connection the next sync sends it anyway.
   */
  previewCountChanged(): void {
    this.needsSnapshot = true;
    if (this.client?.usable) void this.enqueue('resend previews', () => this.refreshSelected()).catch(() => undefined);
  }

  private async refreshSelected(): Promise<void> {
    const mailbox = this.requireClient().mailbox;
    if (mailbox) await this.syncSelected(mailbox);
  }

  /** New messages in INBOX: fetch the flags of just the new UIDs. */
  private async onExists(): Promise<void> {
    const client = this.requireClient();
    const view = this.views.get(INBOX);
    if (!view || !client.mailbox || client.mailbox.path !== INBOX) return;
    const rows = await client.fetchAll(`${this.uidNext}:*`, { uid: true, flags: true }, { uid: true });
    // "N:*" also returns the last message when N is past the end: keep only really new UIDs.
    const fresh = rows.filter((row) => row.uid >= this.uidNext);
    if (fresh.length === 0) return;
    const highest = Math.max(...fresh.map((row) => row.uid));
    this.uidNext = highest + 1;
    const change = view.applyFlags(fresh.map((row) => ({ uid: row.uid, seen: row.flags?.has('\\Seen') ?? false })));
    await this.publish(view, change, highest, false);
  }

  /**
   * Server news arrives in bursts (mark-all-read elsewhere is one FETCH per message): it is
   * collected here and handled by one queued task, so a burst costs one round of work and one delta.
   */
  private noteChange(change: { exists?: boolean; refresh?: boolean; flag?: [number, boolean] }): void {
    const pending = this.pending;
    pending.exists ||= !!change.exists;
    pending.refresh ||= !!change.refresh;
    if (change.flag) pending.flags.set(change.flag[0], change.flag[1]);
    if (pending.queued) return;
    pending.queued = true;
    const handle = () => void this.enqueue('server changes', () => this.applyPending()).catch(() => undefined);
    // A burst of new mail is handled a round a pace (new-mail-pace.ts), with what else came meanwhile.
    const wait = change.exists ? this.newMailPace.wait(this.clock.now()) : 0;
    if (wait > 0) this.clock.setTimeout(handle, wait);
    else handle();
  }

  private async applyPending(): Promise<void> {
    const { exists, refresh, flags } = this.pending;
    this.pending = emptyPending();
    if (exists) {
      this.newMailPace.roundStarted(this.clock.now());
      await this.onExists();
    }
    if (refresh) return this.refreshSelected();
    const mailbox = this.requireClient().mailbox;
    const view = mailbox ? this.views.get(mailbox.path) : undefined;
    if (!view || flags.size === 0) return;
    const change = view.applyFlags([...flags].map(([uid, seen]) => ({ uid, seen })));
    await this.publish(view, change, 0, false);
  }

  /**
   * Fetches what is missing for a change and tells listeners: a snapshot, or a delta. New mail is
   * every unread UID above the mark, not just this change's: a publish cut short by a dead link
   * (after the view took the change, before the mark moved) is then made good by the next one.
   */
  private async publish(view: MailboxView, change: UnreadChange, highestUid: number, asSnapshot: boolean): Promise<void> {
    const limit = this.deps.account.previewCount;
    const missing = view.missingPreviews(limit);
    if (missing.length > 0) {
      for (const preview of await fetchPreviews(this.requireClient(), view, missing)) view.setPreview(preview);
    }
    view.trimPreviews(limit);
    const newMail = await this.deps.marks.take(view.path, view.uidValidity, highestUid, view.unseenUids());
    if (asSnapshot) {
      this.snapshotSent = true;
      this.needsSnapshot = false;
      this.emit('snapshot', { previews: this.previews(), unreadCount: this.unreadCount } satisfies SessionSnapshot);
    }
    const shown = asSnapshot ? newMail : [...new Set([...change.added, ...newMail])];
    const removed = asSnapshot ? [] : change.removed;
    if (shown.length === 0 && removed.length === 0) return;
    this.emit('delta', {
      added: shown.map((uid) => view.preview(uid)).filter((p): p is Preview => p !== undefined),
      removed: removed.map((uid) => view.key(uid)),
      notify: newMail.map((uid) => view.key(uid)),
      unreadCount: this.unreadCount,
    } satisfies SessionDelta);
  }

  // ------------------------------------------------------------------ watched folders

  private scheduleFolderPoll(): void {
    if (this.deps.account.watchedFolders.length === 0) return;
    this.folderTimer = this.clock.setTimeout(() => {
      void this.enqueue('watched folders', () => this.pollFolders()).catch(() => undefined);
      this.scheduleFolderPoll();
    }, this.tuning.folderPollMs);
  }

  /** STATUS each watched folder; visit only those that changed, then come back to INBOX. */
  private async pollFolders(): Promise<void> {
    const client = this.requireClient();
    let visited = false;
    for (const path of this.deps.account.watchedFolders) {
      const status = await client.status(path, { unseen: true, uidNext: true, uidValidity: true, messages: true });
      if (!status) continue;
      const signature = `${status.uidValidity}/${status.uidNext}/${status.unseen}/${status.messages}`;
      if (this.folderStatus.get(path) === signature) continue;
      this.folderStatus.set(path, signature);
      await this.syncSelected(await client.mailboxOpen(path, { readOnly: true }));
      visited = true;
    }
    // Events for INBOX are not delivered while another folder is selected: resync on return.
    if (visited) await this.openInbox();
  }

  /** Runs `work` with `path` selected, then returns to INBOX (resyncing it). */
  private async inMailbox<T>(path: string, uidValidity: number, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = this.requireClient();
    const away = client.mailbox && client.mailbox.path !== path;
    const mailbox = away ? await client.mailboxOpen(path) : client.mailbox;
    try {
      if (!mailbox || Number(mailbox.uidValidity) !== uidValidity) {
        throw new SessionError('not-found', 'This message changed on the server; the list has been refreshed.');
      }
      return await work(client);
    } finally {
      if (away) await this.openInbox();
    }
  }

  // ------------------------------------------------------------------ actions (server-confirmed)

  getBody(key: MessageKey, markSeen: boolean): Promise<Body> {
    return this.enqueue('message body', () =>
      this.inMailbox(key.mailbox, key.uidValidity, async (client) => {
        const body = await fetchBody(client, key);
        if (!body) throw new SessionError('not-found', 'This message is no longer on the server.');
        if (markSeen) {
          await client.messageFlagsAdd(String(key.uid), ['\\Seen'], { uid: true });
          await this.refreshSelected();
        }
        return body;
      }),
    );
  }

  setSeen(keys: MessageKey[], seen: boolean): Promise<void> {
    return this.forEachMailbox(keys, async (client, uids) => {
      const ok = seen
        ? await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true })
        : await client.messageFlagsRemove(uids, ['\\Seen'], { uid: true });
      if (!ok) throw new SessionError('server-refused', 'The server did not accept the change.');
    });
  }

  markAllRead(): Promise<number> {
    return this.enqueue('mark all read', async () => {
      const client = this.requireClient();
      const uids = (await client.search({ seen: false }, { uid: true })) || [];
      if (uids.length > 0) await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
      await this.refreshSelected();
      return uids.length;
    });
  }

  archive(key: MessageKey): Promise<void> {
    return this.moveTo(key, '\\Archive');
  }

  delete(key: MessageKey): Promise<void> {
    if (this.deps.account.deleteMode !== 'expunge') return this.moveTo(key, '\\Trash');
    return this.forEachMailbox([key], async (client, uids) => {
      // Without UIDPLUS, EXPUNGE would also remove every message another client flagged \Deleted.
      if (!client.capabilities.has('UIDPLUS')) {
        throw new SessionError('server-refused', 'This server cannot delete a single message for good. Choose a trash folder in the account\'s settings ("Archive and delete").');
      }
      if (!(await client.messageDelete(uids, { uid: true }))) throw new SessionError('server-refused', 'The server did not delete the message.');
    });
  }

  /** The account's folders, and the ones archive and delete would use now. */
  listFolders(): Promise<{ folders: ListedFolder[]; archive?: string; trash?: string }> {
    return this.enqueue('list folders', async () => {
      const folders = await this.listSelectable(this.requireClient());
      const archive = pickFolder(folders, '\\Archive', this.deps.account.archiveFolder);
      const trash = pickFolder(folders, '\\Trash', this.deps.account.trashFolder);
      return { folders, ...(archive ? { archive } : {}), ...(trash ? { trash } : {}) };
    });
  }

  /** Creates each folder the user named that the server does not have yet. */
  ensureFolders(paths: string[]): Promise<void> {
    return this.enqueue('create folders', async () => {
      const client = this.requireClient();
      const existing = new Set((await this.listSelectable(client)).map((f) => f.path));
      for (const path of paths) {
        if (existing.has(path)) continue;
        try {
          await client.mailboxCreate(path);
        } catch (err) {
          throw new SessionError('server-refused', `The server did not create the folder "${path}": ${errorMessage(err).slice(0, 200)}`);
        }
      }
    });
  }

  private async listSelectable(client: ImapFlow): Promise<ListedFolder[]> {
    const listed = await client.list();
    return listed
      .filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'))
      .map((f) => ({ path: f.path, ...(f.specialUse ? { specialUse: f.specialUse } : {}), ...(f.delimiter ? { delimiter: f.delimiter } : {}) }));
  }

  private async moveTo(key: MessageKey, use: FolderUse): Promise<void> {
    const configured = use === '\\Archive' ? this.deps.account.archiveFolder : this.deps.account.trashFolder;
    await this.forEachMailbox([key], async (client, uids) => {
      const target = pickFolder(await this.listSelectable(client), use, configured);
      if (!target) throw new SessionError('not-found', missingFolderMessage(use, configured));
      if (target === key.mailbox) throw new SessionError('invalid', `This message is already in "${target}".`);
      // imapflow falls back to COPY + \Deleted + UID EXPUNGE where the server has no MOVE (iCloud).
      const result = await client.messageMove(uids, target, { uid: true });
      if (!result) throw new SessionError('server-refused', `The server did not move the message to "${target}".`);
    });
  }

  /** Runs a flag or move command per mailbox, then resyncs so the change comes from the server. */
  private forEachMailbox(keys: MessageKey[], work: (client: ImapFlow, uids: number[]) => Promise<void>): Promise<void> {
    return this.enqueue('change', async () => {
      const byMailbox = new Map<string, MessageKey[]>();
      for (const key of keys) byMailbox.set(key.mailbox, [...(byMailbox.get(key.mailbox) ?? []), key]);
      for (const [path, group] of byMailbox) {
        await this.inMailbox(path, group[0].uidValidity, async (client) => {
          await work(client, group.map((key) => key.uid));
          await this.refreshSelected();
        });
      }
    });
  }

  // ------------------------------------------------------------------ status

  private setStatus(next: SessionStatus): void {
    const same =
      next.state === this.status.state && next.reason === this.status.reason && next.until === this.status.until;
    this.status = { ...next, lastAliveAt: this.liveness.lastAliveAt };
    if (!same) {
      this.log('state', { state: next.state, reason: next.reason, until: next.until });
      this.emit('status', this.state);
    }
  }

  private log(event: string, fields?: Record<string, unknown>): void {
    this.deps.log?.(event, { account: this.deps.account.id, ...fields });
  }
}

/** Whether an imapflow error carries a tagged answer of the server (NO, BAD). */
function serverAnswered(err: unknown): boolean {
  const status = (err as { responseStatus?: unknown } | null)?.responseStatus;
  return typeof status === 'string' && status.length > 0;
}

function emptyPending() {
  return { queued: false, exists: false, refresh: false, flags: new Map<number, boolean>() };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
