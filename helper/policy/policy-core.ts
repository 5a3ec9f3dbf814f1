/**
 * The login policy as pure functions of (state, time, random): what the session may do now and
 * how each event changes the state. No I/O, no clock of its own, so tests drive it with fake time.
 * Why it is strict: repeated failed logins are what gets an Apple ID locked.
 */
import type { AttemptOutcome, ConnectFailure, LoginLogEntry, LoginTrigger, PolicyState } from './types';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const POLICY_LIMITS = {
  backoffBaseMs: 5 * SECOND,
  backoffCapMs: 15 * MINUTE,
  /** Every wait is at least this; the jitter is drawn above it. */
  backoffFloorMs: 5 * SECOND,
  throttleMinMs: 15 * MINUTE,
  throttleJitterMs: 5 * MINUTE,
  loginsPerHour: 10,
  loginsPerDay: 60,
  userRetriesPerHour: 3,
  /**
   * Pacing: once a window (hour, day) holds this many logins, each next one waits its share of
   * what is left of the window, so the budget lasts it. The first few stay quick: one cut after
   * a quiet spell reconnects in seconds.
   */
  pacingFreeLogins: 3,
  /** A session that dies sooner than this after its login counts as a failed one. */
  quickDropMs: 60 * SECOND,
} as const;

export type Decision =
  | { kind: 'login' }
  | { kind: 'wait'; until: number; state: 'backoff' | 'paused'; reason: string }
  | { kind: 'blocked'; state: 'auth-failed'; reason: string };

export type UserRetryResult =
  | { ok: true; state: PolicyState }
  | { ok: false; reason: string; retryAfter: number };

export function initialPolicyState(): PolicyState {
  return {
    version: 1,
    attempts: [],
    userRetries: [],
    consecutiveFailures: 0,
    connectFailures: 0,
    streakBeforeLogin: 0,
    backoff: null,
    authFailed: null,
    pending: null,
    lastSuccessAt: null,
    userAction: null,
  };
}

/** What blocks an account whose login's answer was never heard: it may have been a rejection. */
export function unknownOutcomeReason(detail: string): string {
  return `The last login was cut short before the server answered (${detail.replace(/\.$/, '')}), so the password may have been refused. `
    + 'To protect the account from a lockout (for iCloud: your Apple ID), the helper will not log in again until you choose Retry login or enter a new password.';
}

/** Times inside the rolling window ending at `now`, oldest first. */
function inWindow(times: readonly number[], now: number, windowMs: number): number[] {
  return times.filter((t) => t > now - windowMs).sort((a, b) => a - b);
}

/** When the window holds fewer than `limit` times again, or null if it already does. */
function windowFreeAt(times: readonly number[], now: number, windowMs: number, limit: number): number | null {
  const recent = inWindow(times, now, windowMs);
  return recent.length < limit ? null : recent[recent.length - limit] + windowMs;
}

/** The hard budget: when the next login is allowed, if it is not allowed now. */
function budgetWait(state: PolicyState, now: number): { until: number; reason: string } | null {
  const { loginsPerHour, loginsPerDay } = POLICY_LIMITS;
  const hour = windowFreeAt(state.attempts, now, HOUR, loginsPerHour);
  const day = windowFreeAt(state.attempts, now, DAY, loginsPerDay);
  if (day !== null && (hour === null || day >= hour)) {
    return { until: day, reason: `${loginsPerDay} logins in the last 24 hours: paused to protect the account from a lockout.` };
  }
  if (hour !== null) {
    return { until: hour, reason: `${loginsPerHour} logins in the last hour: paused to protect the account from a lockout.` };
  }
  return null;
}

/**
 * When the window's next login may start so that what is left of its budget lasts what is left
 * of it: the last login plus (time until the oldest leaves the window) / (logins left). Spread so,
 * a link that keeps dying spends the budget evenly and never waits the whole window for it.
 */
function paceUntil(times: readonly number[], now: number, windowMs: number, limit: number): number | null {
  const recent = inWindow(times, now, windowMs);
  const left = limit - recent.length;
  if (recent.length < POLICY_LIMITS.pacingFreeLogins || left <= 0) return null;
  const last = recent[recent.length - 1];
  return last + (recent[0] + windowMs - last) / left;
}

function paceWait(state: PolicyState, now: number): { until: number; reason: string } | null {
  const { loginsPerHour, loginsPerDay } = POLICY_LIMITS;
  const hour = paceUntil(state.attempts, now, HOUR, loginsPerHour) ?? 0;
  const day = paceUntil(state.attempts, now, DAY, loginsPerDay) ?? 0;
  const until = Math.max(hour, day);
  if (until <= now) return null;
  const used = day >= hour
    ? `${inWindow(state.attempts, now, DAY).length} of ${loginsPerDay} logins used in 24 hours`
    : `${inWindow(state.attempts, now, HOUR).length} of ${loginsPerHour} logins used in the last hour`;
  return { until, reason: `Spacing logins out so the login budget lasts (${used}).` };
}

export function decide(state: PolicyState, now: number): Decision {
  if (state.authFailed) {
    const { reason, unknown } = state.authFailed;
    return {
      kind: 'blocked',
      state: 'auth-failed',
      reason: unknown ? reason : `${reason} Not retrying until you enter a new password or ask for a retry.`,
    };
  }
  const budget = budgetWait(state, now);
  // The user asked for this login: it skips the pacing (never the hard budget).
  const pace = state.userAction ? null : paceWait(state, now);
  const backoff = state.backoff && state.backoff.until > now ? state.backoff : null;
  const waits = [
    budget && { ...budget, state: 'paused' as const },
    backoff && { ...backoff, state: 'backoff' as const },
    pace && { ...pace, state: 'backoff' as const },
  ].filter((w) => w !== null);
  if (waits.length === 0) return { kind: 'login' };
  // The latest wait decides; on a tie the order above (budget, backoff, pace) names it.
  const wait = waits.reduce((a, b) => (b.until > a.until ? b : a));
  return { kind: 'wait', state: wait.state, until: wait.until, reason: wait.reason };
}

/**
 * Exponential backoff for the n-th consecutive failure (n >= 1): the floor, plus jitter drawn
 * over the rest of the ceiling, which doubles from 10 s up to the 15-minute cap.
 */
function backoffDelay(n: number, random: () => number): number {
  const { backoffBaseMs, backoffCapMs, backoffFloorMs } = POLICY_LIMITS;
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.max(1, n));
  return backoffFloorMs + random() * (ceiling - backoffFloorMs);
}

function throttleDelay(random: () => number): number {
  return POLICY_LIMITS.throttleMinMs + random() * POLICY_LIMITS.throttleJitterMs;
}

/** Drops times that no window looks at any more, so the persisted state stays small. */
function pruned(state: PolicyState, now: number): PolicyState {
  return {
    ...state,
    attempts: state.attempts.filter((t) => t > now - DAY),
    userRetries: state.userRetries.filter((t) => t > now - HOUR),
  };
}

/**
 * The login command is about to be sent: it counts toward the budget from this moment, whatever
 * happens. A login the helper starts by itself answers the user's retry or new password, if one
 * is waiting, and is logged as that.
 */
export function startAttempt(state: PolicyState, now: number, trigger: LoginTrigger): PolicyState {
  const next = pruned(state, now);
  const answered = trigger === 'start' || trigger === 'reconnect' ? (state.userAction ?? trigger) : trigger;
  return { ...next, attempts: [...next.attempts, now], pending: { at: now, trigger: answered }, connectFailures: 0, userAction: null };
}

/**
 * The attempt begun by startAttempt never sent its login command (the connection was closed
 * first): nothing reached the server, so it is taken back out of the budget.
 */
export function cancelAttempt(state: PolicyState): PolicyState {
  const pending = state.pending;
  if (!pending) return state;
  const trigger = pending.trigger;
  return {
    ...state,
    attempts: state.attempts.filter((t) => t !== pending.at),
    pending: null,
    userAction: trigger === 'user-retry' || trigger === 'new-password' ? trigger : state.userAction,
  };
}

/**
 * A connection failed before its login command was sent (no TCP, TLS, no greeting, a BYE
 * greeting): not a login, so the budget is untouched, but it backs off on a ladder of its own.
 */
export function recordConnectFailure(
  state: PolicyState,
  failure: { at: number; outcome: ConnectFailure; reason: string },
  random: () => number,
): PolicyState {
  const n = state.connectFailures + 1;
  const delay = failure.outcome === 'throttled' ? throttleDelay(random) : backoffDelay(n, random);
  return { ...pruned(state, failure.at), connectFailures: n, backoff: { until: failure.at + delay, reason: failure.reason } };
}

/** The outcome of the login started by startAttempt; `at` is when it ended. */
export function recordAttempt(
  state: PolicyState,
  attempt: { at: number; outcome: AttemptOutcome; reason: string },
  random: () => number,
): PolicyState {
  const { at, outcome, reason } = attempt;
  const base = { ...pruned(state, at), pending: null };
  if (outcome === 'success') {
    return {
      ...base,
      streakBeforeLogin: state.consecutiveFailures,
      consecutiveFailures: 0,
      backoff: null,
      authFailed: null,
      lastSuccessAt: at,
    };
  }
  const n = state.consecutiveFailures + 1;
  if (outcome === 'auth-rejected') {
    return { ...base, consecutiveFailures: n, backoff: null, authFailed: { at, reason } };
  }
  if (outcome === 'unknown') {
    return { ...base, consecutiveFailures: n, backoff: null, authFailed: { at, reason: unknownOutcomeReason(reason), unknown: true } };
  }
  if (outcome === 'throttled') {
    return { ...base, consecutiveFailures: n, backoff: { until: at + throttleDelay(random), reason } };
  }
  return { ...base, consecutiveFailures: n, backoff: { until: at + backoffDelay(n, random), reason } };
}

/** A session that had logged in at `loggedInAt` dropped at `now`: not a login, but it backs off. */
export function recordConnectionLost(
  state: PolicyState,
  now: number,
  loggedInAt: number,
  random: () => number,
  reason: string,
): PolicyState {
  // A link that lets the login through and dies at once must not reset the streak each time.
  const quick = now - loggedInAt < POLICY_LIMITS.quickDropMs;
  const n = quick ? state.streakBeforeLogin + 1 : 1;
  return {
    ...pruned(state, now),
    consecutiveFailures: n,
    streakBeforeLogin: 0,
    backoff: { until: now + backoffDelay(n, random), reason },
  };
}

/** The user asks to log in now: skips the backoff and lifts auth-failed, never the hard budget. */
export function userRetry(state: PolicyState, now: number): UserRetryResult {
  const budget = budgetWait(state, now);
  if (budget) return { ok: false, reason: budget.reason, retryAfter: budget.until };
  const { userRetriesPerHour } = POLICY_LIMITS;
  const retriesFree = windowFreeAt(state.userRetries, now, HOUR, userRetriesPerHour);
  if (retriesFree !== null) {
    return {
      ok: false,
      reason: `${userRetriesPerHour} retries in the last hour: each failed try brings the account closer to a lockout.`,
      retryAfter: retriesFree,
    };
  }
  const next = pruned(state, now);
  return {
    ok: true,
    state: { ...next, userRetries: [...next.userRetries, now], backoff: null, authFailed: null, connectFailures: 0, userAction: 'user-retry' },
  };
}

/** The user gave a new password: a fresh start for everything but the hard budget. */
export function newPassword(state: PolicyState, now: number): PolicyState {
  return {
    ...pruned(state, now),
    authFailed: null,
    backoff: null,
    consecutiveFailures: 0,
    connectFailures: 0,
    streakBeforeLogin: 0,
    userAction: 'new-password',
  };
}

/**
 * Rebuilds what the login log can tell when the state file is gone: the budget and whether the
 * password was last rejected. Without it, deleting the state file would reset the budget.
 */
export function stateFromLog(entries: readonly LoginLogEntry[], now: number): PolicyState {
  const last = entries.at(-1);
  let failures = 0;
  for (let i = entries.length - 1; i >= 0 && entries[i].outcome !== 'success'; i--) failures++;
  // A last login whose answer was never heard ('pending' in logs written before 'unknown' existed) blocks like a rejection.
  const unheard = last?.outcome === 'unknown' || last?.outcome === 'pending';
  return {
    ...initialPolicyState(),
    attempts: entries.map((e) => e.at).filter((t) => t > now - DAY),
    consecutiveFailures: failures,
    authFailed: last?.outcome === 'auth-rejected'
      ? { at: last.at, reason: last.reason }
      : unheard ? { at: last.at, reason: unknownOutcomeReason(last.reason), unknown: true } : null,
  };
}

/** Counts for the status view. */
export function budgetUse(state: PolicyState, now: number): { lastHour: number; lastDay: number; userRetriesLeft: number } {
  return {
    lastHour: inWindow(state.attempts, now, HOUR).length,
    lastDay: inWindow(state.attempts, now, DAY).length,
    userRetriesLeft: Math.max(0, POLICY_LIMITS.userRetriesPerHour - inWindow(state.userRetries, now, HOUR).length),
  };
}
