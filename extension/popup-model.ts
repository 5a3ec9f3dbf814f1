/**
 * The popup's state and actions, apart from rendering: first paint from the cache, then the
 * background's snapshots; opening a message fetches its text through the background. Components
 * get `view` and call the intents; every failure becomes a plain sentence in `notice`.
 *
 * The page renders once `firstView` resolves, so that its first frame already shows the cached
 * list rather than an empty shell followed by the list a frame later.
 */
import { keyOf, messageKeyString, type AccountKind, type AccountState, type Body, type MessageKey, type Preview } from '../protocol';
import type { BackgroundLink, UiSnapshot } from './bridge';
import { userMessage } from './errors';
import { defaultSettings, webmailUrlFor, type Settings } from './settings';
import type { AccountView } from './state';

export type PopupStatus =
  | { kind: 'loading' }
  | { kind: 'connecting' }
  | { kind: 'helper-down' }
  | { kind: 'not-paired'; reason?: string }
  | { kind: 'version-mismatch'; message: string }
  | { kind: 'no-accounts' }
  | { kind: 'ok' };

export interface PopupAccount {
  id: string;
  label: string;
  kind: AccountKind;
  state: AccountState;
  stateReason?: string;
  until?: number;
  unreadCount: number;
  webmailUrl?: string;
  previews: Preview[];
  /** A "Retry login" asked from the popup is on its way. */
  retrying?: boolean;
}

export interface ReaderState {
  accountId: string;
  preview: Preview;
  seen: boolean;
  body?: Body;
  error?: string;
  webmailUrl?: string;
}

export interface PopupView {
  status: PopupStatus;
  accounts: PopupAccount[];
  reader?: ReaderState;
  notice?: string;
}

export interface PopupIntents {
  open(accountId: string, preview: Preview): void;
  back(): void;
  setSeen(accountId: string, key: MessageKey, seen: boolean): void;
  archive(accountId: string, key: MessageKey): void;
  remove(accountId: string, key: MessageKey): void;
  markAllRead(accountId: string): void;
  /** One login now, for an account that waits for the user after a rejected or cut-short login. */
  retryLogin(accountId: string): void;
  openWebmail(url: string): void;
  openSettings(): void;
  retry(): void;
  dismissNotice(): void;
}

function toPopupAccount(view: AccountView, settings: Settings): PopupAccount {
  const s = view.status;
  return {
    id: s.id,
    label: s.label,
    kind: s.kind,
    state: s.state,
    stateReason: s.stateReason,
    until: s.until,
    unreadCount: s.unreadCount,
    webmailUrl: webmailUrlFor(s, settings),
    previews: view.previews,
  };
}

/** What the popup shows for a background snapshot, or for the cache alone before the first one. */
export function popupStatusAndAccounts(snapshot: UiSnapshot | undefined, cached: AccountView[] | undefined): Pick<PopupView, 'status' | 'accounts'> {
  if (!snapshot) {
    const accounts = (cached ?? []).map((a) => toPopupAccount(a, defaultSettings));
    return { status: cached?.length ? { kind: 'connecting' } : { kind: 'loading' }, accounts };
  }
  const { state, settings } = snapshot;
  const accounts = state.accounts.map((a) => toPopupAccount(a, settings));
  const c = state.connection;
  switch (c.phase) {
    case 'helper-down':
      // Offline reading: without the helper the list comes from the cache of the last visit.
      return { status: { kind: 'helper-down' }, accounts: accounts.length > 0 ? accounts : (cached ?? []).map((a) => toPopupAccount(a, settings)) };
    case 'not-paired':
      return { status: { kind: 'not-paired', reason: c.reason }, accounts };
    case 'version-mismatch':
      return { status: { kind: 'version-mismatch', message: c.message }, accounts };
    case 'connecting':
      return { status: { kind: 'connecting' }, accounts };
    case 'connected':
      return { status: accounts.length === 0 ? { kind: 'no-accounts' } : { kind: 'ok' }, accounts };
  }
}

export interface PopupModelDeps {
  link: Pick<BackgroundLink, 'subscribe' | 'call' | 'helper'>;
  readCache: () => Promise<AccountView[]>;
  openTab: (url: string) => void;
  openSettings: () => void;
}

const sameKey = (a: MessageKey, b: MessageKey) => messageKeyString(a) === messageKeyString(b);

/** Intents are arrow properties so components can pass them around as handlers. */
export class PopupModel implements PopupIntents {
  #snapshot: UiSnapshot | undefined;
  #cached: AccountView[] | undefined;
  #reader: ReaderState | undefined;
  #notice: string | undefined;
  readonly #retrying = new Set<string>();
  #view: PopupView = { status: { kind: 'loading' }, accounts: [] };
  readonly #listeners = new Set<(view: PopupView) => void>();
  #haveFirstView!: () => void;
  readonly #firstView = new Promise<void>((resolve) => (this.#haveFirstView = resolve));

  constructor(private readonly deps: PopupModelDeps) {}

  get view(): PopupView {
    return this.#view;
  }

  subscribe(listener: (view: PopupView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.deps.readCache().then(
      (cached) => {
        this.#cached = cached;
        this.#update();
        this.#haveFirstView();
      },
      () => this.#haveFirstView(), // No cache (first run, private window): the live snapshot paints instead.
    );
    this.deps.link.subscribe((snapshot) => {
      this.#snapshot = snapshot;
      this.#update();
      this.#haveFirstView();
    });
    this.retry();
  }

  /**
   * Resolves once there is something to paint — the cache read is done (or failed), or the
   * background's first snapshot came — or after `maxWaitMs`, whichever is first: a slow or stuck
   * IndexedDB still lets the page show its shell, and the list when it comes.
   */
  firstView(maxWaitMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    return Promise.race([this.#firstView, waited]).finally(() => clearTimeout(timer));
  }

  #update(): void {
    const { status, accounts } = popupStatusAndAccounts(this.#snapshot, this.#cached);
    const marked = accounts.map((a) => (this.#retrying.has(a.id) ? { ...a, retrying: true } : a));
    this.#view = { status, accounts: marked, reader: this.#reader, notice: this.#notice };
    for (const listener of this.#listeners) listener(this.#view);
  }

  #fail(error: unknown): void {
    this.#notice = userMessage(error);
    this.#update();
  }

  #setReader(reader: ReaderState | undefined): void {
    this.#reader = reader;
    this.#update();
  }

  readonly open = (accountId: string, preview: Preview): void => {
    const markSeen = (this.#snapshot?.settings ?? defaultSettings).markReadOnOpen;
    const account = this.#view.accounts.find((a) => a.id === accountId);
    // Shown as read at once when opening marks it: the reader's button then already offers "Mark unread".
    const reader: ReaderState = { accountId, preview, seen: preview.seen || markSeen, webmailUrl: account?.webmailUrl };
    this.#setReader(reader);
    this.deps.link.helper({ type: 'get-body', accountId, key: keyOf(preview), markSeen }).then(
      (body) => this.#reader === reader && this.#setReader({ ...reader, body }),
      (error) => this.#reader === reader && this.#setReader({ ...reader, seen: preview.seen, error: userMessage(error) }),
    );
  };

  readonly back = (): void => {
    this.#setReader(undefined);
  };

  readonly setSeen = (accountId: string, key: MessageKey, seen: boolean): void => {
    // The open message shows the change at once, so a second r toggles back rather than repeating
    // the first; a refusal puts it back as it was and says why.
    const readerOf = () => {
      const reader = this.#reader;
      return reader && reader.accountId === accountId && sameKey(keyOf(reader.preview), key) ? reader : undefined;
    };
    const before = readerOf()?.seen;
    if (before !== undefined) this.#setReader({ ...readerOf()!, seen });
    this.deps.link.helper({ type: 'set-seen', accountId, keys: [key], seen }).catch((error) => {
      const reader = readerOf();
      if (reader && before !== undefined && reader.seen === seen) this.#setReader({ ...reader, seen: before });
      this.#fail(error);
    });
  };

  #removeFromView(accountId: string, key: MessageKey, request: Promise<unknown>): void {
    request.then(() => {
      const reader = this.#reader;
      if (reader && reader.accountId === accountId && sameKey(keyOf(reader.preview), key)) this.back();
    }, (error) => this.#fail(error));
  }

  readonly archive = (accountId: string, key: MessageKey): void => {
    this.#removeFromView(accountId, key, this.deps.link.helper({ type: 'archive', accountId, key }));
  };

  readonly remove = (accountId: string, key: MessageKey): void => {
    this.#removeFromView(accountId, key, this.deps.link.helper({ type: 'delete', accountId, key }));
  };

  readonly markAllRead = (accountId: string): void => {
    this.deps.link.helper({ type: 'mark-all-read', accountId }).catch((error) => this.#fail(error));
  };

  readonly retryLogin = (accountId: string): void => {
    if (this.#retrying.has(accountId)) return;
    this.#retrying.add(accountId);
    this.#update();
    const done = () => {
      this.#retrying.delete(accountId);
      this.#update();
    };
    // The account's new state (signing in, then connected or stopped again) comes with the snapshots.
    this.deps.link.helper({ type: 'retry-login', accountId }).then(done, (error) => {
      this.#retrying.delete(accountId);
      this.#fail(error);
    });
  };

  readonly openWebmail = (url: string): void => {
    this.deps.openTab(url);
  };

  readonly openSettings = (): void => {
    this.deps.openSettings();
  };

  readonly retry = (): void => {
    // Fails only when the background restarted, and then the new port wakes the connection anyway.
    this.deps.link.call({ type: 'wake' }).catch(() => undefined);
  };

  readonly dismissNotice = (): void => {
    this.#notice = undefined;
    this.#update();
  };
}
