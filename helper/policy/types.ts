/**
 * Shapes shared by the login policy and the storage that persists it. The log entry is the
 * protocol's own type so the accounts side can hand entries to the extension as they are.
 */
import type { LoginLogEntry } from '../../protocol';

export type { LoginLogEntry };

/**
 * How a login attempt that did not succeed ended; see classifyLoginError. `unknown`: the login
 * command was sent and no answer came back (the link died, a deadline, the helper stopped or
 * crashed), so the server may have refused the password.
 */
export type FailureOutcome = 'auth-rejected' | 'throttled' | 'network' | 'server' | 'unknown';
/** How a connection that ended before its login command was sent failed (no login was made). */
export type ConnectFailure = Exclude<FailureOutcome, 'auth-rejected' | 'unknown'>;
export type AttemptOutcome = 'success' | FailureOutcome;

/** Why a login was started; shown to the user in the login log. */
export const LOGIN_TRIGGERS = ['start', 'reconnect', 'user-retry', 'new-password', 'add-account'] as const;
export type LoginTrigger = (typeof LOGIN_TRIGGERS)[number];
/** What the user did that the next login answers: its log entry names it as the trigger. */
export type UserAction = Extract<LoginTrigger, 'user-retry' | 'new-password'>;

/** One account's persisted policy state. Plain JSON: it is written after every change. */
export interface PolicyState {
  version: 1;
  /** Start times of the login attempts of the last day: the hard budget counts these. */
  attempts: number[];
  /** Times of accepted user retries in the last hour. */
  userRetries: number[];
  consecutiveFailures: number;
  /** Connections in a row that failed before their login command was sent: not logins, but they back off too. */
  connectFailures: number;
  /** The failure streak before the last successful login, restored if that session dies at once. */
  streakBeforeLogin: number;
  backoff: { until: number; reason: string } | null;
  /** Blocks every login until the user acts; `unknown` when the login's answer was never heard. */
  authFailed: { at: number; reason: string; unknown?: boolean } | null;
  /** A login that was started and has not finished; found at load time it means a crash. */
  pending: { at: number; trigger: LoginTrigger } | null;
  lastSuccessAt: number | null;
  /** A user retry or new password not yet answered by a login; that login skips the pacing. */
  userAction: UserAction | null;
}

export interface PolicyStore {
  /** null when nothing was saved yet. */
  loadState(): Promise<PolicyState | null>;
  saveState(state: PolicyState): Promise<void>;
  appendLog(entry: LoginLogEntry): Promise<void>;
  /** The newest `limit` entries, oldest first. */
  readLog(limit: number): Promise<LoginLogEntry[]>;
}
