import { describe, expect, it } from 'vitest';
import {
  DAY,
  decide,
  HOUR,
  initialPolicyState,
  newPassword,
  recordAttempt,
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
  it('starts at about 5 s, scaled by the jitter', () => {
    const s = login(initialPolicyState(), T0, 'network', fixed(0.5));
    expect(decide(s, T0)).toEqual({ kind: 'wait', state: 'backoff', until: T0 + 2_500, reason: 'network reason' });
    expect(waitUntil(login(initialPolicyState(), T0, 'server', fixed(0.999)), T0)).toBeCloseTo(T0 + 4_995, 5);
    expect(decide(s, T0 + 2_500)).toEqual({ kind: 'login' });
  });

  it('never waits less than 1 s, even when the jitter draws 0', () => {
    expect(waitUntil(login(initialPolicyState(), T0, 'network', fixed(0)), T0)).toBe(T0 + 1_000);
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
    expect(ceilings).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]);
  });

  it('a success resets the streak', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 4; i++) s = recordAttempt(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    s = recordAttempt(s, { at: T0, outcome: 'success', reason: '' }, fixed(1));
    expect(decide(s, T0)).toEqual({ kind: 'login' });
    s = recordAttempt(s, { at: T0, outcome: 'network', reason: 'x' }, fixed(1));
    expect(waitUntil(s, T0)).toBe(T0 + 5_000);
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
    expect(waitUntil(s, T0 + DAY)).toBe(T0 + DAY + 5_000);
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
    expect(decide(s, T0 + HOUR)).toEqual({ kind: 'login' });
    s = login(s, T0 + HOUR, 'success');
    // The 11th fills the window again: next room is when the 2nd (at 3 min) expires.
    expect(waitUntil(s, T0 + HOUR)).toBe(T0 + 3 * MIN + HOUR);
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
    expect(decide(s, T0 + DAY)).toEqual({ kind: 'login' });
  });

  it('cannot be bypassed by a user retry', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 10; i++) s = login(s, T0 + i, 'network', fixed(0));
    expect(userRetry(s, T0 + MIN)).toEqual({ ok: false, reason: expect.stringContaining('10 logins'), retryAfter: T0 + HOUR });
  });

  it('shows the later of pause and backoff', () => {
    let s = initialPolicyState();
    for (let i = 0; i < 9; i++) s = login(s, T0 + i, 'success');
    s = login(s, T0 + 59 * MIN, 'throttled', fixed(0));
    // Paused until T0 + 1 h, but the throttle runs to T0 + 74 min.
    expect(decide(s, T0 + 59 * MIN)).toMatchObject({ state: 'backoff', until: T0 + 74 * MIN });
  });
});

describe('connection lost', () => {
  it('after a long session backs off from the start of the ladder', () => {
    let s = login(initialPolicyState(), T0, 'network', fixed(1));
    s = login(s, T0 + MIN, 'success');
    s = recordConnectionLost(s, T0 + HOUR, T0 + MIN, fixed(1), 'ETIMEOUT');
    expect(decide(s, T0 + HOUR)).toEqual({ kind: 'wait', state: 'backoff', until: T0 + HOUR + 5_000, reason: 'ETIMEOUT' });
  });

  it('within 60 s of the login keeps growing the backoff', () => {
    let s = initialPolicyState();
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      s = login(s, now, 'success');
      s = recordConnectionLost(s, now + 59_000, now, fixed(1), 'dropped');
      const until = waitUntil(s, now + 59_000);
      waits.push((until - now - 59_000) / 1000);
      now = until;
    }
    expect(waits).toEqual([5, 10, 20, 40, 80]);
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
