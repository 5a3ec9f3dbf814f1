/**
 * The extension's single source of truth, derived from helper events (snapshots + deltas) and the
 * connection's own phases. Badge, notifications, cache and UI all read this; only `reduce` writes it.
 * Pure: no I/O, no clocks.
 */
import {
  keyOf,
  messageKeyString,
  type AccountStatus,
  type DeltaMessage,
  type MessageKey,
  type Preview,
  type ServerMessage,
} from '../protocol';

/** Where the link to the helper stands. Every phase but `connected` needs something before mail shows. */
export type ConnectionPhase =
  | { phase: 'connecting' }
  /** The socket could not be opened or dropped: the helper is not running (or not at that address). */
  | { phase: 'helper-down'; retryAt?: number }
  /** No token, or the helper no longer accepts ours. */
  | { phase: 'not-paired'; reason?: string }
  | { phase: 'version-mismatch'; message: string }
  | { phase: 'connected' };

export interface AccountView {
  status: AccountStatus;
  /** Unread previews, newest first. */
  previews: Preview[];
  /** Set on (re)authentication until this account's snapshot arrives; see `synced`. */
  stale?: boolean;
}

export interface ExtensionState {
  connection: ConnectionPhase;
  helperVersion?: string;
  /** Ordered as the helper first announced them. */
  accounts: AccountView[];
}

export type StoreEvent =
  | { type: 'phase'; connection: ConnectionPhase; helperVersion?: string }
  /** Authenticated anew: what we hold may be out of date until the snapshots arrive. */
  | { type: 'authenticated' }
  /** Every snapshot sent after authentication has arrived: accounts without one are gone. */
  | { type: 'synced' }
  /** Token dropped: nothing we knew about the helper's accounts is ours to show anymore. */
  | { type: 'unpaired' }
  | Extract<ServerMessage, { type: 'snapshot' | 'delta' | 'account' | 'account-removed' }>;

/** The helper bounds the list by the account's preview count; this only guards memory. */
export const MAX_PREVIEWS_PER_ACCOUNT = 500;

export const initialState: ExtensionState = { connection: { phase: 'connecting' }, accounts: [] };

const newestFirst = (a: Preview, b: Preview) => b.date - a.date || b.key.uid - a.key.uid;

function applyDelta(previews: Preview[], delta: DeltaMessage): Preview[] {
  const drop = new Set([...delta.removed, ...delta.added.map(keyOf)].map(messageKeyString));
  return [...previews.filter((p) => !drop.has(messageKeyString(p.key))), ...delta.added]
    .sort(newestFirst)
    .slice(0, MAX_PREVIEWS_PER_ACCOUNT);
}

function replaceAccount(state: ExtensionState, id: string, update: (a: AccountView) => AccountView): ExtensionState {
  return { ...state, accounts: state.accounts.map((a) => (a.status.id === id ? update(a) : a)) };
}

export function reduce(state: ExtensionState, event: StoreEvent): ExtensionState {
  switch (event.type) {
    case 'phase':
      return { ...state, connection: event.connection, helperVersion: event.helperVersion ?? state.helperVersion };
    case 'authenticated':
      return { ...state, connection: { phase: 'connected' }, accounts: state.accounts.map((a) => ({ ...a, stale: true })) };
    case 'synced':
      return state.accounts.some((a) => a.stale) ? { ...state, accounts: state.accounts.filter((a) => !a.stale) } : state;
    case 'unpaired':
      return { ...state, accounts: [] };
    case 'snapshot': {
      const view: AccountView = { status: event.account, previews: [...event.previews].sort(newestFirst).slice(0, MAX_PREVIEWS_PER_ACCOUNT) };
      const exists = state.accounts.some((a) => a.status.id === event.account.id);
      return exists
        ? replaceAccount(state, event.account.id, () => view)
        : { ...state, accounts: [...state.accounts, view] };
    }
    case 'delta':
      return replaceAccount(state, event.accountId, (a) => ({
        ...a,
        previews: applyDelta(a.previews, event),
        status: { ...a.status, unreadCount: event.unreadCount },
      }));
    case 'account':
      return replaceAccount(state, event.account.id, (a) => ({ ...a, status: event.account }));
    case 'account-removed':
      return { ...state, accounts: state.accounts.filter((a) => a.status.id !== event.accountId) };
  }
}

export function totalUnread(state: ExtensionState): number {
  return state.accounts.reduce((sum, a) => sum + a.status.unreadCount, 0);
}

export function findPreview(state: ExtensionState, accountId: string, key: MessageKey): Preview | undefined {
  const id = messageKeyString(key);
  return state.accounts.find((a) => a.status.id === accountId)?.previews.find((p) => messageKeyString(p.key) === id);
}

type Listener = (state: ExtensionState, previous: ExtensionState) => void;

/** Holds the state and tells listeners after every change. */
export class Store {
  #state: ExtensionState;
  readonly #listeners = new Set<Listener>();

  constructor(state: ExtensionState = initialState) {
    this.#state = state;
  }

  get state(): ExtensionState {
    return this.#state;
  }

  dispatch(event: StoreEvent): void {
    const previous = this.#state;
    const next = reduce(previous, event);
    if (next === previous) return;
    this.#state = next;
    for (const listener of this.#listeners) listener(next, previous);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
