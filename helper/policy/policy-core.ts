/**
 * The login policy as pure functions of (state, time, random): what the session may do now and
 * how each event changes the state. No I/O, no clock of its own, so tests drive it with fake time.
 * Why it is strict: repeated failed logins are what gets an Apple ID locked.
 */
import type { AttemptOutcome, LoginLogEntry, LoginTrigger, PolicyState } from './types';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const POLICY_LIMITS = {
  backoffBaseMs: 5 * SECOND,
  backoffCapMs: 15 * MINUTE,
  /** Full jitter can draw ~0: never reconnect sooner than this. */
  backoffFloorMs: 1 * SECOND,
  throttleMinMs: 15 * MINUTE,
  throttleJitterMs: 5 * MINUTE,
  loginsPerHour: 10,
  loginsPerDay: 60,
  userRetriesPerHour: 3,
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
    streakBeforeLogin: 0,
    backoff: null,
    authFailed: null,
    pending: null,
    lastSuccessAt: null,
  };
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

export function decide(state: PolicyState, now: number): Decision {
  if (state.authFailed) {
    return {
      kind: 'blocked',
      state: 'auth-failed',
      reason: `${state.authFailed.reason} Not retrying until you enter a new password or ask for a retry.`,
    };
  }
  const budget = budgetWait(state, now);
  const backoff = state.backoff && state.backoff.until > now ? state.backoff : null;
  if (budget && (!backoff || budget.until >= backoff.until)) {
    return { kind: 'wait', state: 'paused', until: budget.until, reason: budget.reason };
  }
  if (backoff) return { kind: 'wait', state: 'backoff', until: backoff.until, reason: backoff.reason };
  return { kind: 'login' };
}

/** Exponential backoff with full jitter for the n-th consecutive failure (n >= 1). */
function backoffDelay(n: number, random: () => number): number {
  const { backoffBaseMs, backoffCapMs, backoffFloorMs } = POLICY_LIMITS;
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** Math.max(0, n - 1));
  return Math.max(backoffFloorMs, random() * ceiling);
}

/** Drops times that no window looks at any more, so the persisted state stays small. */
function pruned(state: PolicyState, now: number): PolicyState {
  return {
    ...state,
    attempts: state.attempts.filter((t) => t > now - DAY),
    userRetries: state.userRetries.filter((t) => t > now - HOUR),
  };
}

/** A login is about to start: it counts toward the budget from this moment, whatever happens. */
export function startAttempt(state: PolicyState, now: number, trigger: LoginTrigger): PolicyState {
  const next = pruned(state, now);
  return { ...next, attempts: [...next.attempts, now], pending: { at: now, trigger } };
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
  if (outcome === 'throttled') {
    const { throttleMinMs, throttleJitterMs } = POLICY_LIMITS;
    const until = at + throttleMinMs + random() * throttleJitterMs;
    return { ...base, consecutiveFailures: n, backoff: { until, reason } };
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
  return { ok: true, state: { ...next, userRetries: [...next.userRetries, now], backoff: null, authFailed: null } };
}

/** The user gave a new password: a fresh start for everything but the hard budget. */
export function newPassword(state: PolicyState, now: number): PolicyState {
  return { ...pruned(state, now), authFailed: null, backoff: null, consecutiveFailures: 0, streakBeforeLogin: 0 };
}

/**
 * Rebuilds what the login log can tell when the state file is gone: the budget and whether the
 * password was last rejected. Without it, deleting the state file would reset the budget.
 */
export function stateFromLog(entries: readonly LoginLogEntry[], now: number): PolicyState {
  const last = entries.at(-1);
  let failures = 0;
  for (let i = entries.length - 1; i >= 0 && entries[i].outcome !== 'success'; i--) failures++;
  return {
    ...initialPolicyState(),
    attempts: entries.map((e) => e.at).filter((t) => t > now - DAY),
    consecutiveFailures: failures,
    authFailed: last?.outcome === 'auth-rejected' ? { at: last.at, reason: last.reason } : null,
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
