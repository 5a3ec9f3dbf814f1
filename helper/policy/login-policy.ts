/**
 * One account's login policy with its persisted state: the only door to a login. The session
 * asks `decide()`, calls `beginAttempt()` (persisted before it connects, so a crash mid-login
 * still counts) and reports the result with `finishAttempt()`. The rules live in policy-core.
 */
import {
  budgetUse,
  cancelAttempt,
  decide,
  initialPolicyState,
  newPassword,
  recordAttempt,
  recordConnectFailure,
  recordConnectionLost,
  startAttempt,
  stateFromLog,
  userRetry,
  type Decision,
} from './policy-core';
import type { AttemptOutcome, ConnectFailure, LoginLogEntry, LoginTrigger, PolicyState, PolicyStore } from './types';

export { classifyLoginError, type LoginErrorClass } from './classify-login-error';
export { checkPasswordShape, isIcloudHost } from './password-shape';
export {
  decide,
  newPassword,
  unknownOutcomeReason,
  POLICY_LIMITS,
  recordAttempt,
  recordConnectionLost,
  startAttempt,
  userRetry,
  type Decision,
  type UserRetryResult,
} from './policy-core';
export type { AttemptOutcome, ConnectFailure, FailureOutcome, LoginLogEntry, LoginTrigger, PolicyState, PolicyStore } from './types';

const DEFAULT_LOG_LIMIT = 500;
/** The protocol caps log reasons at 1024 characters. */
const MAX_REASON = 1024;
const INTERRUPTED_REASON = 'the helper stopped after sending this login and before its answer';

/** Thrown by beginAttempt when the policy does not allow a login now: a caller bug, never a retry signal. */
export class LoginNotAllowedError extends Error {
  constructor(readonly decision: Exclude<Decision, { kind: 'login' }>) {
    super(`Login not allowed now: ${decision.reason}`);
    this.name = 'LoginNotAllowedError';
  }
}

export interface PolicySnapshot {
  decision: Decision;
  loginInProgress: boolean;
  consecutiveFailures: number;
  loginsLastHour: number;
  loginsLastDay: number;
  userRetriesLeft: number;
  lastSuccessAt: number | null;
}

export interface LoginPolicyOptions {
  store: PolicyStore;
  now: () => number;
  random: () => number;
  /** How many log entries are kept in memory for log(). */
  logLimit?: number;
}

export class LoginPolicy {
  private readonly store: PolicyStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logLimit: number;
  private state: PolicyState = initialPolicyState();
  private entries: LoginLogEntry[] = [];
  private loaded = false;

  constructor(options: LoginPolicyOptions) {
    this.store = options.store;
    this.now = options.now;
    this.random = options.random;
    this.logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  }

  async load(): Promise<void> {
    const [saved, entries] = await Promise.all([this.store.loadState(), this.store.readLog(this.logLimit)]);
    this.entries = entries;
    this.state = saved ?? stateFromLog(entries, this.now());
    this.loaded = true;
    const pending = this.state.pending;
    if (!pending) return;
    // A login was sent when the helper stopped. If its outcome reached the log but not the
    // state file, use it. Otherwise its answer is unknown: it may have been a rejected password,
    // so it blocks like one until the user acts (a crash loop must not retry it).
    const logged = this.entries.at(-1);
    if (logged && logged.at === pending.at && logged.outcome !== 'pending') {
      this.state = recordAttempt(this.state, { at: this.now(), outcome: logged.outcome, reason: logged.reason }, this.random);
    } else {
      await this.appendEntry({ at: pending.at, outcome: 'unknown', reason: INTERRUPTED_REASON, trigger: pending.trigger });
      this.state = recordAttempt(this.state, { at: this.now(), outcome: 'unknown', reason: INTERRUPTED_REASON }, this.random);
    }
    await this.store.saveState(this.state);
  }

  decide(): Decision {
    this.assertLoaded();
    return decide(this.state, this.now());
  }

  /**
   * Call before a connection is opened: writes the state once, so a disk that could not take the
   * attempt (full, read-only) stops the connection before it is made, not at its login command.
   */
  async prepareAttempt(): Promise<void> {
    this.assertLoaded();
    await this.store.saveState(this.state);
  }

  /**
   * Call right before the login command is sent; resolves once the attempt is on disk, with the
   * trigger it is logged under (a user's retry or new password, when this login answers one).
   */
  async beginAttempt(trigger: LoginTrigger): Promise<LoginTrigger> {
    const decision = this.decide();
    if (decision.kind !== 'login') throw new LoginNotAllowedError(decision);
    if (this.state.pending) throw new Error('A login is already in progress for this account.');
    const next = startAttempt(this.state, this.now(), trigger);
    // Adopted only once saved: if the write fails the caller must not send it, so nothing happened.
    await this.store.saveState(next);
    this.state = next;
    return next.pending!.trigger;
  }

  /** The outcome of the attempt begun last. */
  async finishAttempt(outcome: AttemptOutcome, reason: string): Promise<void> {
    const pending = this.state.pending;
    if (!pending) throw new Error('finishAttempt without beginAttempt.');
    const clipped = reason.slice(0, MAX_REASON);
    // Applied in memory first: a rejected password must block even if the disk write fails.
    this.state = recordAttempt(this.state, { at: this.now(), outcome, reason: clipped }, this.random);
    await this.appendEntry({ at: pending.at, outcome, reason: clipped, trigger: pending.trigger });
    await this.store.saveState(this.state);
  }

  /** The attempt begun last never sent its login command: it is taken back. */
  async cancelAttempt(): Promise<void> {
    if (!this.state.pending) return;
    const next = cancelAttempt(this.state);
    await this.store.saveState(next);
    this.state = next;
  }

  /** A connection failed before any login command was sent: backs off without spending the budget. */
  async connectFailed(outcome: ConnectFailure, reason: string): Promise<void> {
    this.assertLoaded();
    this.state = recordConnectFailure(this.state, { at: this.now(), outcome, reason: reason.slice(0, MAX_REASON) }, this.random);
    await this.store.saveState(this.state);
  }

  /** A session that logged in at `loggedInAt` dropped. */
  async connectionLost(loggedInAt: number, reason: string): Promise<void> {
    this.assertLoaded();
    this.state = recordConnectionLost(this.state, this.now(), loggedInAt, this.random, reason.slice(0, MAX_REASON));
    await this.store.saveState(this.state);
  }

  async userRetry(): Promise<{ ok: true } | { ok: false; reason: string; retryAfter: number }> {
    this.assertLoaded();
    const result = userRetry(this.state, this.now());
    if (!result.ok) return result;
    this.state = result.state;
    await this.store.saveState(this.state);
    return { ok: true };
  }

  async newPassword(): Promise<void> {
    this.assertLoaded();
    this.state = newPassword(this.state, this.now());
    await this.store.saveState(this.state);
  }

  /** The login log, newest last, with the login under way (if any) as a `pending` entry. */
  log(): LoginLogEntry[] {
    const pending = this.state.pending;
    const inFlight: LoginLogEntry[] = pending
      ? [{ at: pending.at, outcome: 'pending', reason: 'Logging in…', trigger: pending.trigger }]
      : [];
    return [...this.entries, ...inFlight];
  }

  snapshot(): PolicySnapshot {
    const now = this.now();
    const use = budgetUse(this.state, now);
    return {
      decision: this.decide(),
      loginInProgress: this.state.pending !== null,
      consecutiveFailures: this.state.consecutiveFailures,
      loginsLastHour: use.lastHour,
      loginsLastDay: use.lastDay,
      userRetriesLeft: use.userRetriesLeft,
      lastSuccessAt: this.state.lastSuccessAt,
    };
  }

  private async appendEntry(entry: LoginLogEntry): Promise<void> {
    this.entries = [...this.entries, entry].slice(-this.logLimit);
    await this.store.appendLog(entry);
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error('LoginPolicy.load() must be called first.');
  }
}
