import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../store/atomic-file';
import { FilePolicyStore, MemoryPolicyStore } from '../store/policy-store';
import { LoginNotAllowedError, LoginPolicy } from './login-policy';
import type { PolicyStore } from './types';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

class FakeClock {
  constructor(public t = T0) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

let dir: string;
let clock: FakeClock;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-'));
  clock = new FakeClock();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fileStore(): FilePolicyStore {
  return new FilePolicyStore({ stateDir: dir, accountId: 'work' });
}

async function policyOn(store: PolicyStore, random = 0.5): Promise<LoginPolicy> {
  const policy = new LoginPolicy({ store, now: clock.now, random: () => random });
  await policy.load();
  return policy;
}

describe('LoginPolicy', () => {
  it('refuses to begin a login the policy does not allow', async () => {
    const policy = await policyOn(new MemoryPolicyStore());
    await policy.beginAttempt('start');
    await policy.finishAttempt('auth-rejected', 'Server rejected the login: [AUTHENTICATIONFAILED]');
    clock.advance(7 * 24 * HOUR);
    await expect(policy.beginAttempt('reconnect')).rejects.toBeInstanceOf(LoginNotAllowedError);
    expect(policy.snapshot()).toMatchObject({ decision: { kind: 'blocked' }, loginsLastDay: 0, consecutiveFailures: 1 });
  });

  it('records every attempt in the log, newest last, with the one under way as pending', async () => {
    const policy = await policyOn(new MemoryPolicyStore());
    await policy.beginAttempt('start');
    await policy.finishAttempt('network', 'Could not reach the server: ECONNREFUSED');
    clock.advance(10 * MIN);
    await policy.beginAttempt('reconnect');
    expect(policy.log()).toEqual([
      { at: T0, outcome: 'network', reason: 'Could not reach the server: ECONNREFUSED', trigger: 'start' },
      { at: T0 + 10 * MIN, outcome: 'pending', reason: 'Logging in…', trigger: 'reconnect' },
    ]);
    await policy.finishAttempt('success', 'Logged in.');
    expect(policy.log().at(-1)).toEqual({ at: T0 + 10 * MIN, outcome: 'success', reason: 'Logged in.', trigger: 'reconnect' });
    expect(policy.snapshot()).toMatchObject({ loginInProgress: false, loginsLastHour: 2, consecutiveFailures: 0, lastSuccessAt: T0 + 10 * MIN });
  });

  it('keeps only the newest entries in memory', async () => {
    const policy = new LoginPolicy({ store: new MemoryPolicyStore(), now: clock.now, random: () => 0, logLimit: 3 });
    await policy.load();
    for (let i = 0; i < 5; i++) {
      await policy.beginAttempt('reconnect');
      await policy.finishAttempt('success', `login ${i}`);
      clock.advance(HOUR);
    }
    expect(policy.log().map((e) => e.reason)).toEqual(['login 2', 'login 3', 'login 4']);
  });

  it('survives a restart: backoff, budget and log come back from disk', async () => {
    const first = await policyOn(fileStore());
    for (let i = 0; i < 3; i++) {
      await first.beginAttempt(i === 0 ? 'start' : 'reconnect');
      await first.finishAttempt('throttled', 'Server is limiting logins: [LIMIT]');
      const d = first.decide();
      if (d.kind !== 'wait') throw new Error('expected a wait');
      clock.t = d.until;
    }
    clock.advance(-1);
    const before = first.decide();
    const second = await policyOn(fileStore(), 0.9);
    expect(second.decide()).toEqual(before);
    expect(before).toMatchObject({ kind: 'wait', state: 'backoff', until: clock.t + 1 });
    expect(second.log()).toEqual(first.log());
    expect(second.snapshot()).toMatchObject({ loginsLastHour: 3, consecutiveFailures: 3 });
  });

  it('blocks a login cut short by a crash like a rejected password, and logs it once', async () => {
    const first = await policyOn(fileStore());
    await first.beginAttempt('start');
    // The process dies here: no finishAttempt.
    clock.advance(2_000);
    const second = await policyOn(fileStore(), 1);
    expect(second.log()).toEqual([
      { at: T0, outcome: 'unknown', reason: expect.stringContaining('helper stopped'), trigger: 'start' },
    ]);
    // Its answer is unknown (it may have been a rejected password): no login until the user acts.
    const decision = second.decide();
    expect(decision).toMatchObject({ kind: 'blocked', state: 'auth-failed', reason: expect.stringMatching(/cut short.*Retry login/) });
    expect(second.snapshot()).toMatchObject({ loginsLastHour: 1, consecutiveFailures: 1, loginInProgress: false });
    clock.advance(7 * 24 * HOUR);
    // Recovered once: a third start does not log it again, and it still waits for the user.
    const third = await policyOn(fileStore());
    expect(third.log()).toHaveLength(1);
    expect(third.decide().kind).toBe('blocked');
    expect(await third.userRetry()).toEqual({ ok: true });
    await third.beginAttempt('start');
    await third.finishAttempt('success', 'logged in');
    expect(third.log().at(-1)).toMatchObject({ outcome: 'success', trigger: 'user-retry' });
  });

  it('takes back an attempt whose login command was never sent', async () => {
    const policy = await policyOn(fileStore());
    await policy.beginAttempt('start');
    await policy.cancelAttempt();
    expect(policy.snapshot()).toMatchObject({ loginInProgress: false, loginsLastHour: 0 });
    const again = await policyOn(fileStore());
    expect(again.decide()).toEqual({ kind: 'login' });
    expect(again.log()).toEqual([]);
  });

  it('backs off connections that fail before the login, without spending the budget, across restarts', async () => {
    const policy = await policyOn(fileStore(), 0);
    await policy.connectFailed('network', 'no greeting');
    expect(policy.decide()).toMatchObject({ kind: 'wait', until: T0 + 5_000, reason: 'no greeting' });
    const again = await policyOn(fileStore(), 0);
    expect(again.decide()).toMatchObject({ kind: 'wait', until: T0 + 5_000 });
    expect(again.snapshot()).toMatchObject({ loginsLastHour: 0 });
  });

  it('blocks on a rejected password even when the disk write fails, and after restart', async () => {
    const disk = fileStore();
    let failSaves = false;
    const flaky: PolicyStore = {
      ...bind(disk),
      saveState: (s) => (failSaves ? Promise.reject(new StorageError('disk-full', 'x', 'disk full')) : disk.saveState(s)),
    };
    const policy = await policyOn(flaky);
    await policy.beginAttempt('start');
    failSaves = true;
    await expect(policy.finishAttempt('auth-rejected', 'Server rejected the login')).rejects.toThrow('disk full');
    expect(policy.decide().kind).toBe('blocked');
    // The log line made it, the state file still says "pending": the restart uses the logged outcome.
    const restarted = await policyOn(fileStore());
    expect(restarted.decide().kind).toBe('blocked');
    expect(restarted.log().map((e) => e.outcome)).toEqual(['auth-rejected']);
  });

  it('does not count an attempt whose start could not be saved (the caller must not connect)', async () => {
    const memory = new MemoryPolicyStore();
    const policy = await policyOn({ ...bind(memory), saveState: () => Promise.reject(new Error('EROFS')) });
    await expect(policy.beginAttempt('start')).rejects.toThrow('EROFS');
    expect(policy.snapshot()).toMatchObject({ loginInProgress: false, loginsLastHour: 0 });
  });

  it('backs off a session that dies within a minute of each login', async () => {
    const policy = await policyOn(new MemoryPolicyStore(), 1);
    const waits: number[] = [];
    // Two: after the third login the pacing (tested in policy-core) asks for longer than the backoff.
    for (let i = 0; i < 2; i++) {
      await policy.beginAttempt('reconnect');
      await policy.finishAttempt('success', 'ok');
      const loggedInAt = clock.t;
      clock.advance(30_000);
      await policy.connectionLost(loggedInAt, 'Connection closed');
      const d = policy.decide();
      if (d.kind !== 'wait') throw new Error('expected a wait');
      waits.push(d.until - clock.t);
      clock.t = d.until;
    }
    expect(waits).toEqual([10_000, 20_000]);
  });

  it('lets the user retry 3 times an hour and then says when', async () => {
    const policy = await policyOn(new MemoryPolicyStore());
    await policy.beginAttempt('start');
    await policy.finishAttempt('auth-rejected', 'no');
    for (let i = 0; i < 3; i++) {
      clock.advance(MIN);
      expect(await policy.userRetry()).toEqual({ ok: true });
      await policy.beginAttempt('user-retry');
      await policy.finishAttempt('auth-rejected', 'no');
    }
    clock.advance(MIN);
    expect(await policy.userRetry()).toEqual({ ok: false, reason: expect.any(String), retryAfter: T0 + MIN + HOUR });
    await policy.newPassword();
    expect(policy.decide()).toEqual({ kind: 'login' });
  });

  it('rebuilds the budget from the login log when the state file is gone', async () => {
    const first = await policyOn(fileStore());
    for (let i = 0; i < 10; i++) {
      const d = first.decide();
      if (d.kind === 'wait') clock.t = d.until;
      await first.beginAttempt('reconnect');
      await first.finishAttempt('success', 'ok');
    }
    clock.advance(MIN);
    expect(first.snapshot()).toMatchObject({ loginsLastDay: 10, decision: { kind: 'wait' } });
    await rm(join(dir, 'policy-work.json'));
    const second = await policyOn(fileStore());
    expect(second.decide()).toEqual(first.decide());
  });

  it('names a damaged state file instead of guessing', async () => {
    await writeFile(join(dir, 'policy-work.json'), '{"version":1,"attempts":"oops"}');
    const policy = new LoginPolicy({ store: fileStore(), now: clock.now, random: () => 0.5 });
    const err = await policy.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).problem).toBe('corrupt');
    expect((err as Error).message).toContain(join(dir, 'policy-work.json'));
  });

  it('writes neither password nor unknown fields to disk', async () => {
    const policy = await policyOn(fileStore());
    await policy.beginAttempt('start');
    await policy.finishAttempt('success', 'ok');
    const files = await Promise.all(['policy-work.json', 'logins-work.jsonl'].map((f) => readFile(join(dir, f), 'utf8')));
    expect(JSON.parse(files[0])).toMatchObject({ version: 1, attempts: [T0], pending: null });
    expect(files[1].trim().split('\n').map((l) => Object.keys(JSON.parse(l)).sort())).toEqual([['at', 'outcome', 'reason', 'trigger']]);
  });
});

/** A store whose methods can be overridden one by one. */
function bind(store: PolicyStore): PolicyStore {
  return {
    loadState: () => store.loadState(),
    saveState: (s) => store.saveState(s),
    appendLog: (e) => store.appendLog(e),
    readLog: (n) => store.readLog(n),
  };
}
