/**
 * `helper logins` (every account's attempts, failed adds too, the demo account by its name) and
 * `helper retry ACCOUNT` against a stopped helper (recorded on disk) and a running one (asked
 * through its request folder), as a user runs them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialPolicyState } from '../../helper/policy/policy-core';
import { addAccount, saveConfig } from '../../helper/store/config';
import { LoginLog, loginLogPath } from '../../helper/store/login-log';
import { FilePolicyStore } from '../../helper/store/policy-store';
import { freePort, startHelperProcess } from '../e2e/helper-process';
import { withTimeout } from '../harness/wait';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
const T = Date.UTC(2026, 10, 28, 9, 0, 0);
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mn-cli-logins-'));
});
afterEach(async () => rm(home, { recursive: true, force: true }));

async function helper(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MAIL_NOTIFIER_HOME: home } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await withTimeout(new Promise<number | null>((r) => child.on('exit', r)), 20_000, `helper ${args.join(' ')}`);
  return { code, out, err };
}

async function withAccount(): Promise<void> {
  await saveConfig(join(home, 'config'), addAccount({ version: 1, accounts: [] }, {
    id: 'work', label: 'Work mail', kind: 'imap', host: '127.0.0.1', port: 1, tls: false, username: 'w',
  }));
}

describe('helper logins', () => {
  it('with no account named lists every login log: added accounts, failed adds and the demo account', async () => {
    await withAccount();
    const state = join(home, 'state');
    await new LoginLog(loginLogPath(state, 'work')).append({ at: T, outcome: 'success', reason: 'logged in', trigger: 'start' });
    await new LoginLog(loginLogPath(state, 'bob-example-com')).append({ at: T, outcome: 'auth-rejected', reason: 'Server rejected the login', trigger: 'add-account' });
    await new LoginLog(loginLogPath(state, 'demo')).append({ at: T, outcome: 'success', reason: 'logged in', trigger: 'start' });
    const { code, out } = await helper(['logins']);
    expect(code).toBe(0);
    expect(out).toMatch(/^work \(Work mail\): 1 login/m);
    expect(out).toMatch(/^bob-example-com — not an added account \(an add that failed, or an account since removed\): 1 login/m);
    expect(out).toMatch(/auth-rejected\s+add-account\s+Server rejected the login/);
    expect(out).toMatch(/^demo \(the demo account: a local mailbox, not a real account\): 1 login/m);
  });
});

describe('helper retry', () => {
  it('with the helper stopped, records one retry that the next start answers', async () => {
    await withAccount();
    const store = new FilePolicyStore({ stateDir: join(home, 'state'), accountId: 'work' });
    await store.saveState({ ...initialPolicyState(), authFailed: { at: Date.now(), reason: 'cut short', unknown: true } });
    const { code, out, err } = await helper(['retry', 'work']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Retry recorded');
    expect(await store.loadState()).toMatchObject({ authFailed: null, userAction: 'user-retry' });
  });

  it('names an unknown account and gives the usage without one', async () => {
    await withAccount();
    expect(await helper(['retry', 'nosuch'])).toMatchObject({ code: 1, err: expect.stringContaining('No account "nosuch"') });
    expect(await helper(['retry'])).toMatchObject({ code: 1, err: expect.stringContaining('Usage: helper retry ACCOUNT') });
  });

  it('with the helper running, asks it: the demo account retries, and status names the demo account', async () => {
    // The demo account's last login was cut short: it waits for the user.
    await new FilePolicyStore({ stateDir: join(home, 'state'), accountId: 'demo' })
      .saveState({ ...initialPolicyState(), authFailed: { at: Date.now(), reason: 'cut short', unknown: true } });
    const running = await startHelperProcess({ home, port: await freePort(), name: 'cli-retry', demo: true });
    try {
      await running.waitForLog((e) => e.msg === 'state' && e.state === 'auth-failed', 'the demo account waiting for the user');
      expect((await helper(['status'])).out).toMatch(/→ `npm run helper retry demo` logs in once/);
      const { code, out } = await helper(['retry', 'demo']);
      expect(code).toBe(0);
      expect(out).toContain('Retry accepted: demo logs in once now');
      await running.waitForLog((e) => e.msg === 'logged-in' && e.trigger === 'user-retry', 'a login answering the retry');
      const status = await helper(['status']);
      expect(status.out).toMatch(/- demo \(the demo account: a local mailbox, not a real account\): /);
      expect(await helper(['retry', 'nosuch'])).toMatchObject({ code: 1, err: expect.stringContaining('No such account') });
      await running.waitForLog((e) => e.msg === 'state' && e.state === 'idle', 'the demo account idle');
      expect(await helper(['retry', 'demo'])).toMatchObject({ code: 1, err: expect.stringContaining('nothing to retry') });
    } finally {
      await running.stop();
    }
  });
});
