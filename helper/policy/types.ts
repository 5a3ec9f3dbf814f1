/**
 * Shapes shared by the login policy and the storage that persists it. The log entry is the
 * protocol's own type so the accounts side can hand entries to the extension as they are.
 */
import type { LoginLogEntry } from '../../protocol';

export type { LoginLogEntry };

/** How a login attempt that did not succeed ended; see classifyLoginError. */
export type FailureOutcome = 'auth-rejected' | 'throttled' | 'network' | 'server';
export type AttemptOutcome = 'success' | FailureOutcome;

/** Why a login was started; shown to the user in the login log. */
export const LOGIN_TRIGGERS = ['start', 'reconnect', 'user-retry', 'new-password', 'add-account'] as const;
export type LoginTrigger = (typeof LOGIN_TRIGGERS)[number];

/** One account's persisted policy state. Plain JSON: it is written after every change. */
export interface PolicyState {
  version: 1;
  /** Start times of the login attempts of the last day: the hard budget counts these. */
  attempts: number[];
  /** Times of accepted user retries in the last hour. */
  userRetries: number[];
  consecutiveFailures: number;
  /** The failure streak before the last successful login, restored if that session dies at once. */
  streakBeforeLogin: number;
  backoff: { until: number; reason: string } | null;
  authFailed: { at: number; reason: string } | null;
  /** A login that was started and has not finished; found at load time it means a crash. */
  pending: { at: number; trigger: LoginTrigger } | null;
  lastSuccessAt: number | null;
}

export interface PolicyStore {
  /** null when nothing was saved yet. */
  loadState(): Promise<PolicyState | null>;
  saveState(state: PolicyState): Promise<void>;
  appendLog(entry: LoginLogEntry): Promise<void>;
  /** The newest `limit` entries, oldest first. */
  readLog(limit: number): Promise<LoginLogEntry[]>;
}
