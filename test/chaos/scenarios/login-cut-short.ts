/**
 * Scenario (issue 14, point 1): a login whose answer never comes may have been a rejection, so it
 * is treated as one. (a) The real helper, with a revoked password, SIGKILLed the moment its login
 * command passes the proxy (Dovecot delays the rejection 2 s, so the answer is never read), then
 * restarted again and again: the server must see that password once, and the helper wait for the
 * user; `helper retry` (while it runs) then logs in once, logged as user-retry. (b) A session whose
 * link is cut right after the login command is sent: blocked for a simulated day despite nudges,
 * until the user's retry.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { LoginLog, loginLogPath } from '../../../helper/store/login-log';
import { startHelperProcess, type HelperProcess } from '../../e2e/helper-process';
import { recordSecret } from '../../harness/test-log';
import { withTimeout } from '../../harness/wait';
import { ACCOUNT_ID, DrivenSession } from '../driven-session';
import { helperHome } from '../helper-home';
import { whenPasswordSent } from '../password-sent';
import { check, type Check, type Figure, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface LoginCutShortParams {
  seed: number;
  /** Restarts of the helper after the killed login. */
  restarts: number;
  /** Virtual hours watched after the cut login, with a wake() nudge each hour. */
  hoursAfter: number;
}

export const LOGIN_CUT_SHORT = {
  short: { seed: 14, restarts: 3, hoursAfter: 24 },
  full: { seed: 14, restarts: 8, hoursAfter: 24 },
} satisfies Record<string, LoginCutShortParams>;

const HOUR = 3_600_000;
const REVOKED = 'revoked-app-password-Jw4k';
const BIN = resolve(import.meta.dirname, '../../../helper/bin.mjs');

function runCli(home: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MAIL_NOTIFIER_HOME: home } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return withTimeout(new Promise((r) => child.on('exit', (code) => r({ code, out }))), 20_000, `helper ${args.join(' ')}`);
}

export async function loginCutShort(p: LoginCutShortParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  recordSecret(REVOKED);
  const world = await startWorld();
  const figures: Figure[] = [];
  const checks: Check[] = [];
  try {
    // (a) SIGKILL mid-login, then restarts.
    const home = await helperHome({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: REVOKED });
    try {
      const before = await world.serverLogins();
      // Held until the kill is armed: the login must not pass before the listener is there.
      world.proxy.stall();
      let killed: HelperProcess | undefined;
      let helper: HelperProcess | undefined;
      const stopWatching = whenPasswordSent(world.proxy, () => {
        killed = helper;
        void helper?.kill('SIGKILL');
      });
      helper = await startHelperProcess({ home: home.home, port: home.port, name: testFile });
      // Held until here: the password must not pass before `helper` is known to the watch.
      world.proxy.resume();
      await withTimeout((async () => { while (!killed) await new Promise((r) => setTimeout(r, 20)); })(), 20_000, 'the login to pass the proxy');
      stopWatching();
      await killed!.kill('SIGKILL');
      const connectionsAfterKill = world.proxy.connectionsTotal;
      const reasons: string[] = [];
      for (let i = 0; i < p.restarts; i++) {
        const again = await startHelperProcess({ home: home.home, port: home.port, name: testFile });
        const state = await again.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state !== 'stopped', 'the account state');
        reasons.push(`${String(state.state)}`);
        await again.stop();
      }
      const connectionsAfterRestarts = world.proxy.connectionsTotal;
      // The user acts: the password on the server is the one the helper has (as after a fix), and one retry.
      await world.dovecot.setPassword(world.user, REVOKED);
      const running = await startHelperProcess({ home: home.home, port: home.port, name: testFile });
      const blocked = await running.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state === 'auth-failed', 'auth-failed');
      const retry = await runCli(home.home, ['retry', ACCOUNT_ID]);
      const back = await running.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state === 'idle', 'idle after the retry').then(() => true, () => false);
      await running.stop();
      await world.dovecot.setPassword(world.user, world.pass);
      const log = await new LoginLog(loginLogPath(home.paths.stateDir, ACCOUNT_ID)).readAll();
      const after = await world.serverLogins();
      const refused = after.failed - before.failed;
      const accepted = after.accepted - before.accepted;
      figures.push(
        ['killed mid-login: helper restarts after the kill', p.restarts],
        ['killed mid-login: logins the server saw (Dovecot log: refused / accepted)', `${refused} / ${accepted}`],
        ['killed mid-login: login log', log.map((e) => `${e.outcome} (${e.trigger})`).join(', ')],
        ['killed mid-login: state shown after restart', `${String(blocked.state)}: “${String(blocked.reason)}”`],
      );
      checks.push(
        check('killed mid-login: the revoked password reached the server once', refused === 1, `Dovecot log: ${refused} refused`),
        check('killed mid-login: no login across the restarts', connectionsAfterRestarts === connectionsAfterKill, `${connectionsAfterRestarts - connectionsAfterKill} connections in ${p.restarts} restarts; states ${reasons.join(', ')}`),
        check('killed mid-login: the account waits for the user, saying why', /cut short.*Retry login or enter a new password/.test(String(blocked.reason)), String(blocked.reason)),
        check('killed mid-login: `helper retry` logs in once, logged as user-retry', retry.code === 0 && back && accepted === 1 && log.at(-1)?.trigger === 'user-retry' && log.at(-1)?.outcome === 'success',
          `retry exit ${retry.code}, idle ${back}, ${accepted} accepted, last entry ${log.at(-1)?.outcome}/${log.at(-1)?.trigger}`),
        check('killed mid-login: at most one session at once (Dovecot log)', after.maxSessions <= 1, `${after.maxSessions}`),
      );
    } finally {
      world.proxy.resume();
      await home.remove();
    }

    // (b) The link cut right after the login command, under the virtual clock.
    const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
    try {
      if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
      const stop = whenPasswordSent(world.proxy, () => world.proxy.dropAll());
      world.proxy.dropAll();
      const blocked = await s.runUntilTrue(() => s.state === 'auth-failed', HOUR);
      stop();
      const reason = s.session.state.reason ?? '';
      const connectionsAtBlock = world.proxy.connectionsTotal;
      for (let hour = 0; hour < p.hoursAfter; hour++) {
        await s.runFor(HOUR);
        s.session.wake();
      }
      await s.settle();
      const idle = world.proxy.connectionsTotal === connectionsAtBlock && s.state === 'auth-failed';
      const retry = await s.policy.userRetry();
      s.session.wake();
      const back = retry.ok && (await s.runUntilTrue(() => s.state === 'idle', HOUR));
      const log = await s.loginLog();
      figures.push(['link cut after the login command: login log', log.map((e) => `${e.outcome} (${e.trigger})`).join(', ')]);
      checks.push(
        check('link cut after the login command: blocked like a rejected password', blocked && /cut short/.test(reason), `state ${s.state}, reason “${reason}”`),
        check(`link cut after the login command: no attempt in the ${p.hoursAfter} h after, despite nudges`, idle, `${world.proxy.connectionsTotal - connectionsAtBlock} connections`),
        check('link cut after the login command: the user retry logs in, logged as user-retry', back && log.at(-1)?.trigger === 'user-retry', `state ${s.state}, last ${log.at(-1)?.outcome}/${log.at(-1)?.trigger}`),
        check('link cut after the login command: never two connections at once', s.connections.maxOpen <= 1, `max open ${s.connections.maxOpen}`),
      );
    } finally {
      await s.stop();
    }
    return {
      title: 'A login cut short (SIGKILL mid-login, link cut after the login command)',
      injected: `(a) The real helper with a revoked password, SIGKILLed the moment its login command passed the proxy, then started ${p.restarts} times; `
        + 'then the password fixed on the server and `helper retry` run while it ran. (b) A session whose link was cut right after its login command, '
        + `then ${p.hoursAfter} virtual hours with a wake() nudge each hour, then one user retry.`,
      figures,
      checks,
      realMs: Date.now() - realStart,
      notes: 'an answer never heard may have been a rejection, so the helper treats it as one: the account waits for the user (Retry login, '
        + '`helper retry ACCOUNT`, or a new password) and never sends that password again by itself.',
    };
  } finally {
    world.proxy.resume();
    await world.stop();
  }
}
