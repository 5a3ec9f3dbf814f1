import { describe, expect, it } from 'vitest';
import {
  cancelAttempt,
  DAY,
  decide,
  HOUR,
  initialPolicyState,
  newPassword,
  recordAttempt,
  recordConnectFailure,
  recordConnectionLost,
  startAttempt,
  stateFromLog,
  userRetry,
} from './policy-core';
import type { AttemptOutcome, PolicyState } from './types';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const MIN = 60_000;
const fixed = (value: number) => () => value;

/** One whole login: counted at `at`, ended at `at`. */
function login(state: PolicyState, at: number, outcome: AttemptOutcome, random = fixed(0.5)): PolicyState {
  return recordAttempt(startAttempt(state, at, 'reconnect'), { at, outcome, reason: `${outcome} reason` }, random);
}

function waitUntil(state: PolicyState, now: number): number {
  const d = decide(state, now);
  if (d.kind !== 'wait') throw new Error(`expected wait, got ${d.kind}`);
  return d.until;
}

describe('backoff after network and server errors', () => {
  it('starts at 5 s plus jitter up to 10 s', () => {
    const s = login(initialPolicyState(), T0, 'network', fixed(0.5));
    expect(decide(s, T0)).toEqual({ kind: 'wait', state: 'backoff', until: T0 + 7_500, reason: 'network reason' });
    expect(waitUntil(login(initialPolicyState(), T0, 'server', fixed(0.999)), T0)).toBeCloseTo(T0 + 9_995, 5);
    expect(decide(s, T0 + 7_500)).toEqual({ kind: 'login' });
  });

  it('never waits less than 5 s, even when the jitter draws 0', () => {
    expect(waitUntil(login(initialPolicyState(), T0, 'network', fixed(0)), T0)).toBe(T0 + 5_000);
    let s = initialPolicyState();
    for (let i = 0; i < 12; i++) s = recordAttempt(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(0));
    expect(waitUntil(s, T0)).toBe(T0 + 5_000);
  });

  it('doubles per consecutive failure up to the 15-minute cap', () => {
    let s = initialPolicyState();
    let now = T0;
    const ceilings: number[] = [];
    for (let i = 0; i < 11; i++) {
      // recordAttempt alone: the budget is not under test here.
      s = recordAttempt(s, { at: now, outcome: 'network', reason: 'ECONNRESET' }, fixed(1));
      const until = waitUntil(s, now);
      ceilings.push((until - now) / 1000);
      now = until;
    }
    expect(ceilings).toEqual([10, 20, 40, 80, 160, 320, 640, 900, 900, 900, 900]);
  });

  it('a success resets the streak', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 4; i++) s = recordAttempt(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    s = recordAttempt(s, { at: T0, outcome: 'success', reason: '' }, fixed(1));
    expect(decide(s, T0)).toEqual({ kind: 'login' });
    s = recordAttempt(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    expect(waitUntil(s, T0)).toBe(T0 + 10_000);
  });
});

describe('throttling', () => {
  it('waits at least 15 minutes, plus up to 5 of jitter', () => {
    expect(waitUntil(login(initialPolicyState(), T0, 'throttled', fixed(0)), T0)).toBe(T0 + 15 * MIN);
    expect(waitUntil(login(initialPolicyState(), T0, 'throttled', fixed(0.5)), T0)).toBe(T0 + 17.5 * MIN);
    expect(decide(login(initialPolicyState(), T0, 'throttled', fixed(0)), T0 + 15 * MIN - 1).kind).toBe('wait');
  });
});

describe('a rejected password', () => {
  it('blocks for good, however much time passes', () => {
    const s = login(initialPolicyState(), T0, 'auth-rejected');
    for (const later of [0, HOUR, DAY, 30 * DAY, 400 * DAY]) {
      expect(decide(s, T0 + later)).toMatchObject({ kind: 'blocked', state: 'auth-failed' });
    }
    expect(decide(s, T0)).toMatchObject({ reason: expect.stringContaining('auth-rejected reason') });
  });

  it('is lifted by a new password, with a fresh streak', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 3; i++) s = login(s, T0 + i, 'network');
    s = login(s, T0 + 3, 'auth-rejected');
    s = newPassword(s, T0 + DAY);
    expect(decide(s, T0 + DAY)).toEqual({ kind: 'login' });
    s = login(s, T0 + DAY, 'network', fixed(1));
    expect(waitUntil(s, T0 + DAY)).toBe(T0 + DAY + 10_000);
  });

  it('is lifted by a user retry, at most 3 per rolling hour', () => {
    let s = login(initialPolicyState(), T0, 'auth-rejected');
    const retryTimes = [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN];
    for (const at of retryTimes) {
      const r = userRetry(s, at);
      if (!r.ok) throw new Error(r.reason);
      expect(decide(r.state, at)).toEqual({ kind: 'login' });
      s = recordAttempt(startAttempt(r.state, at, 'user-retry'), { at, outcome: 'auth-rejected', reason: 'no' }, fixed(0.5));
    }
    const refused = userRetry(s, T0 + 10 * MIN);
    expect(refused).toEqual({ ok: false, reason: expect.stringContaining('3 retries'), retryAfter: T0 + MIN + HOUR });
    expect(decide(s, T0 + 10 * MIN).kind).toBe('blocked');
    expect(userRetry(s, T0 + MIN + HOUR - 1).ok).toBe(false);
    expect(userRetry(s, T0 + MIN + HOUR).ok).toBe(true);
  });

  it('reports blocked even when the budget is also used up', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 10; i++) s = login(s, T0 + i, 'success');
    s = recordAttempt(s, { at: T0 + 20, outcome: 'auth-rejected', reason: 'no' }, fixed(0.5));
    expect(decide(s, T0 + 30).kind).toBe('blocked');
  });
});

describe('a user retry during backoff', () => {
  it('skips the wait', () => {
    const s = login(initialPolicyState(), T0, 'throttled');
    const r = userRetry(s, T0 + MIN);
    expect(r.ok && decide(r.state, T0 + MIN)).toEqual({ kind: 'login' });
  });
});

describe('the hard budget', () => {
  it('allows 10 logins per rolling hour, then pauses until the oldest leaves the window', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 10; i++) s = login(s, T0 + i * 3 * MIN, 'success');
    expect(decide(s, T0 + 30 * MIN)).toEqual({
      kind: 'wait',
      state: 'paused',
      until: T0 + HOUR,
      reason: expect.stringContaining('10 logins in the last hour'),
    });
    expect(decide(s, T0 + HOUR - 1).kind).toBe('wait');
    // Room for one, which the pacing keeps until the window's oldest (at 3 min) leaves it.
    expect(decide(s, T0 + HOUR)).toMatchObject({ kind: 'wait', state: 'backoff', until: T0 + 3 * MIN + HOUR });
    expect(decide(s, T0 + 3 * MIN + HOUR)).toEqual({ kind: 'login' });
  });

  it('counts failed logins the same as successful ones', () => {
    let s = initialPolicyState();
    let now = T0;
    for (let i = 0; i < 10; i++) {
      s = login(s, now, 'network', fixed(0));
      now += 1_000;
    }
    expect(decide(s, now)).toMatchObject({ kind: 'wait', state: 'paused', until: T0 + HOUR });
  });

  it('allows 60 logins per rolling day', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 60; i++) s = login(s, T0 + i * 20 * MIN, 'success');
    const last = T0 + 59 * 20 * MIN;
    expect(decide(s, last + 1)).toEqual({
      kind: 'wait',
      state: 'paused',
      until: T0 + DAY,
      reason: expect.stringContaining('60 logins in the last 24 hours'),
    });
    expect(decide(s, T0 + 20 * MIN + DAY)).toEqual({ kind: 'login' });
  });

  it('cannot be bypassed by a user retry', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 10; i++) s = login(s, T0 + i, 'network', fixed(0));
    expect(userRetry(s, T0 + MIN)).toEqual({ ok: false, reason: expect.stringContaining('10 logins'), retryAfter: T0 + HOUR });
  });

  it('shows the latest of pause, backoff and pacing', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 9; i++) s = login(s, T0 + i, 'success');
    s = login(s, T0 + 59 * MIN, 'throttled', fixed(0));
    // Paused until T0 + 1 h, the throttle runs to T0 + 74 min, and the day's pacing (50 logins left
    // for what remains of the day after the oldest) further still.
    const paced = T0 + 59 * MIN + (T0 + DAY - (T0 + 59 * MIN)) / 50;
    expect(decide(s, T0 + 59 * MIN)).toMatchObject({ state: 'backoff', until: paced, reason: expect.stringContaining('Spacing') });
    // A user retry skips backoff and pacing, never the pause.
    const r = userRetry(s, T0 + 59 * MIN);
    expect(r).toMatchObject({ ok: false, retryAfter: T0 + HOUR });
  });
});

describe('connection lost', () => {
  it('after a long session backs off from the start of the ladder', () => {
    let s = login(initialPolicyState(), T0, 'network', fixed(1));
    s = login(s, T0 + MIN, 'success');
    s = recordConnectionLost(s, T0 + HOUR, T0 + MIN, fixed(1), 'ETIMEOUT');
    expect(decide(s, T0 + HOUR)).toEqual({ kind: 'wait', state: 'backoff', until: T0 + HOUR + 10_000, reason: 'ETIMEOUT' });
  });

  it('within 60 s of the login keeps growing the backoff', () => {
    let s = initialPolicyState();
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      s = login(s, now, 'success');
      s = recordConnectionLost(s, now + 59_000, now, fixed(1), 'dropped');
      // The backoff alone (the pacing, tested below, may ask for longer).
      const until = s.backoff!.until;
      waits.push((until - now - 59_000) / 1000);
      now = Math.max(until, waitUntil(s, now + 59_000));
    }
    expect(waits).toEqual([10, 20, 40, 80, 160]);
  });
});

describe('stateFromLog', () => {
  it('keeps the day budget and a last rejection', () => {
    const entries = [
      { at: T0 - 2 * DAY, outcome: 'success' as const, reason: '', trigger: 'start' },
      ...Array.from({ length: 10 }, (_, i) => ({ at: T0 + i, outcome: 'network' as const, reason: 'x', trigger: 'reconnect' })),
      { at: T0 + 20, outcome: 'auth-rejected' as const, reason: 'no', trigger: 'reconnect' },
    ];
    const s = stateFromLog(entries, T0 + MIN);
    expect(s.attempts).toHaveLength(11);
    expect(s.consecutiveFailures).toBe(11);
    expect(decide(s, T0 + MIN).kind).toBe('blocked');
    expect(decide(newPassword(s, T0 + MIN), T0 + MIN)).toMatchObject({ state: 'paused', until: T0 + 1 + HOUR });
  });
});

describe('a login whose answer was never heard', () => {
  it('blocks like a rejected password, with a reason that says what to do', () => {
    const s = login(initialPolicyState(), T0, 'unknown');
    for (const later of [0, HOUR, 30 * DAY]) expect(decide(s, T0 + later)).toMatchObject({ kind: 'blocked', state: 'auth-failed' });
    const d = decide(s, T0);
    expect(d.kind === 'blocked' && d.reason).toMatch(/cut short.*may have been refused.*Retry login or enter a new password/);
    expect(d.kind === 'blocked' && d.reason).toContain('unknown reason');
  });

  it('is lifted by one user retry, whose login is logged as user-retry and skips the pacing', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 5; i++) s = login(s, T0 + i * MIN, 'success');
    s = login(s, T0 + 5 * MIN, 'unknown');
    const r = userRetry(s, T0 + 6 * MIN);
    if (!r.ok) throw new Error(r.reason);
    expect(decide(r.state, T0 + 6 * MIN)).toEqual({ kind: 'login' });
    const started = startAttempt(r.state, T0 + 6 * MIN, 'reconnect');
    expect(started.pending).toEqual({ at: T0 + 6 * MIN, trigger: 'user-retry' });
    expect(started.userAction).toBeNull();
    // The next login the helper makes by itself is a reconnect again.
    const after = recordAttempt(started, { at: T0 + 6 * MIN, outcome: 'success', reason: '' }, fixed(0.5));
    expect(startAttempt(after, T0 + 7 * MIN, 'reconnect').pending?.trigger).toBe('reconnect');
  });

  it('a new password makes the next login a new-password one; adding an account keeps its own trigger', () => {
    const s = newPassword(login(initialPolicyState(), T0, 'unknown'), T0 + MIN);
    expect(startAttempt(s, T0 + MIN, 'start').pending?.trigger).toBe('new-password');
    expect(startAttempt(s, T0 + MIN, 'add-account').pending?.trigger).toBe('add-account');
  });

  it('is rebuilt from the log when the state file is gone', () => {
    const entries = [{ at: T0, outcome: 'unknown' as const, reason: 'link closed', trigger: 'reconnect' }];
    expect(decide(stateFromLog(entries, T0 + MIN), T0 + MIN)).toMatchObject({ kind: 'blocked', reason: expect.stringContaining('cut short') });
    const old = [{ at: T0, outcome: 'pending' as const, reason: 'The helper stopped before this login finished', trigger: 'start' }];
    expect(decide(stateFromLog(old, T0 + MIN), T0 + MIN).kind).toBe('blocked');
  });
});

describe('connections that fail before the login command', () => {
  it('do not spend the budget, and back off from 5 s upwards', () => {
    let s = initialPolicyState();
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 30; i++) {
      s = recordConnectFailure(s, { at: now, outcome: 'network', reason: 'no greeting' }, fixed(0));
      const until = waitUntil(s, now);
      waits.push(until - now);
      now = until;
    }
    expect(s.attempts).toEqual([]);
    expect(Math.min(...waits)).toBe(5_000);
    s = recordConnectFailure(s, { at: now, outcome: 'network', reason: 'x' }, fixed(1));
    expect(waitUntil(s, now) - now).toBe(15 * MIN);
  });

  it('grow their own ladder, reset once a login command goes out', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 4; i++) s = recordConnectFailure(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    expect(waitUntil(s, T0)).toBe(T0 + 80_000);
    s = recordAttempt(startAttempt(s, T0, 'reconnect'), { at: T0, outcome: 'success', reason: '' }, fixed(1));
    s = recordConnectFailure(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    expect(waitUntil(s, T0)).toBe(T0 + 10_000);
  });

  it('a BYE greeting (throttling) waits at least 15 minutes', () => {
    const s = recordConnectFailure(initialPolicyState(), { at: T0, outcome: 'throttled', reason: 'BYE' }, fixed(0));
    expect(waitUntil(s, T0)).toBe(T0 + 15 * MIN);
    expect(s.attempts).toEqual([]);
  });

  it('an attempt taken back before its command was sent leaves no trace in the budget', () => {
    const r = userRetry(login(initialPolicyState(), T0, 'auth-rejected'), T0 + MIN);
    if (!r.ok) throw new Error(r.reason);
    const started = startAttempt(r.state, T0 + MIN, 'reconnect');
    const back = cancelAttempt(started);
    expect(back.attempts).toEqual([T0]);
    expect(back.pending).toBeNull();
    // The user's retry is still owed a login.
    expect(back.userAction).toBe('user-retry');
  });
});

describe('pacing', () => {
  /** Logs in whenever the policy allows, each link dying at once: the worst a flapping link can do. */
  function flapFor(ms: number): number[] {
    let s = initialPolicyState();
    const times: number[] = [];
    let now = T0;
    for (let i = 0; i < 10_000 && now < T0 + ms; i++) {
      const d = decide(s, now);
      if (d.kind === 'blocked') throw new Error('blocked');
      if (d.kind === 'wait') {
        now = d.until;
        continue;
      }
      times.push(now);
      s = recordAttempt(startAttempt(s, now, 'reconnect'), { at: now, outcome: 'success', reason: '' }, fixed(0.5));
      s = recordConnectionLost(s, now + 1_000, now, fixed(0.5), 'cut');
      now += 1_000;
    }
    return times;
  }

  function mostIn(times: number[], windowMs: number): number {
    return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
  }

  it('spreads the budget over the window: never over 10 an hour or 60 a day, never a gap over 30 min', () => {
    const times = flapFor(3 * DAY);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(mostIn(times, HOUR)).toBeLessThanOrEqual(10);
    expect(mostIn(times, DAY)).toBeLessThanOrEqual(60);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30 * MIN);
    // It still uses the budget: close to 60 a day.
    expect(times.filter((t) => t >= T0 + DAY && t < T0 + 2 * DAY).length).toBeGreaterThanOrEqual(55);
  });

  it('lets the first few logins of a quiet window through at the backoff alone', () => {
    const times = flapFor(2 * MIN);
    expect(times.length).toBe(3);
    expect(times[2] - times[0]).toBeLessThan(MIN);
  });

  it('says why the account waits', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 4; i++) s = login(s, T0 + i * 1_000, 'success');
    expect(decide(s, T0 + 10_000)).toMatchObject({ kind: 'wait', state: 'backoff', reason: expect.stringMatching(/Spacing logins out.*4 of 60 logins used in 24 hours/) });
  });
});
