/**
 * Scenario (issue 14, point 2): never two sessions. (a) A second `helper start` on the same home
 * while the first is connected: it must exit non-zero within 5 s saying "already running (pid N)"
 * and log in nowhere. (b) SIGTERM while a reconnect login hangs (the proxy passes the login to
 * Dovecot and holds its answer): the helper must end within 10 s, leave no session at the
 * server, and a helper started next must not open a second one. Counted from Dovecot's log.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { readRuntimeStatus } from '../../../helper/runtime-status';
import { freePort, startHelperProcess } from '../../e2e/helper-process';
import { pollUntil, withTimeout } from '../../harness/wait';
import { ACCOUNT_ID } from '../driven-session';
import { helperHome } from '../helper-home';
import { whenPasswordSent } from '../password-sent';
import { check, type Check, type Figure, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface OneHelperParams {
  /** Rounds of (b). */
  rounds: number;
}

export const ONE_HELPER = {
  short: { rounds: 1 },
  full: { rounds: 3 },
} satisfies Record<string, OneHelperParams>;

const BIN = resolve(import.meta.dirname, '../../../helper/bin.mjs');
const SECOND_START_MS = 5_000;
const SIGTERM_MS = 10_000;

export async function oneHelper(p: OneHelperParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const home = await helperHome({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: world.pass });
  const figures: Figure[] = [];
  const checks: Check[] = [];
  try {
    // (a) A second start while the first is connected.
    const first = await startHelperProcess({ home: home.home, port: home.port, name: testFile });
    await first.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state === 'idle', 'the first helper idle');
    const pid = (await readRuntimeStatus(home.paths.stateDir))?.pid;
    const connectionsBefore = world.proxy.connectionsTotal;
    const startedAt = Date.now();
    const second = spawn(process.execPath, [BIN, 'start', '--no-demo', '--port', String(await freePort())], { env: { ...process.env, MAIL_NOTIFIER_HOME: home.home } });
    let secondOut = '';
    second.stderr.on('data', (d) => (secondOut += d));
    second.stdout.on('data', (d) => (secondOut += d));
    const code = await withTimeout(new Promise<number | null>((r) => second.on('exit', r)), 20_000, 'the second helper to exit');
    const secondMs = Date.now() - startedAt;
    figures.push(['second start: exit code, time to exit', `${code}, ${secondMs} ms`], ['second start: what it printed', secondOut.trim().split('\n').at(-1) ?? '']);
    checks.push(
      check(`second start: exits non-zero within ${SECOND_START_MS / 1000} s saying "already running (pid N)"`,
        code !== 0 && secondMs < SECOND_START_MS && secondOut.includes(`already running (pid ${pid})`), `exit ${code} after ${secondMs} ms`),
      check('second start: no connection to the server', world.proxy.connectionsTotal === connectionsBefore, `${world.proxy.connectionsTotal - connectionsBefore} connections`),
    );

    await first.stop();

    // (b) SIGTERM while a reconnect login waits for its answer; a home of its own each round, so
    // the pacing of earlier rounds' logins does not delay this one's reconnect.
    const stopTimes: number[] = [];
    const blockedAfter: string[] = [];
    let leftOpen = 0;
    for (let round = 0; round < p.rounds; round++) {
      const own = await helperHome({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: world.pass });
      try {
        let helper = await startHelperProcess({ home: own.home, port: own.port, name: testFile });
        await helper.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state === 'idle', 'idle');
        // The reconnect's login reaches Dovecot (it logs the session in); its answer is held.
        const acceptedBefore = (await world.serverLogins()).accepted;
        let passwordSent = false;
        const stopWatching = whenPasswordSent(world.proxy, () => {
          passwordSent = true;
          world.proxy.holdReplies();
        });
        world.proxy.dropAll();
        await pollUntil(async () => passwordSent && (await world.serverLogins()).accepted > acceptedBefore,
          { what: 'the held login to reach Dovecot', timeoutMs: 60_000, intervalMs: 50 });
        stopWatching();
        const sigterm = Date.now();
        const exit = await helper.kill('SIGTERM').catch(() => 'no exit');
        stopTimes.push(Date.now() - sigterm);
        world.proxy.resume();
        const closed = await pollUntil(async () => (await world.serverLogins()).openAtEnd.size === 0, { what: 'no session at the server', timeoutMs: 10_000, intervalMs: 50 }).then(() => true, () => false);
        if (!closed || exit === 'no exit') leftOpen++;
        // The next helper: the login cut short waits for the user (point 1); one retry brings it back.
        helper = await startHelperProcess({ home: own.home, port: own.port, name: testFile });
        const settled = await helper.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && ['auth-failed', 'idle', 'backoff', 'paused'].includes(String(e.state)), 'the next helper to settle');
        blockedAfter.push(String(settled.state));
        const retry = spawn(process.execPath, [BIN, 'retry', ACCOUNT_ID], { env: { ...process.env, MAIL_NOTIFIER_HOME: own.home } });
        await withTimeout(new Promise((r) => retry.on('exit', r)), 20_000, 'helper retry');
        await helper.waitForLog((e) => e.msg === 'state' && e.account === ACCOUNT_ID && e.state === 'idle', 'idle again');
        await helper.stop();
      } finally {
        world.proxy.resume();
        await own.remove();
      }
    }
    const server = await world.serverLogins();
    figures.push(
      ['SIGTERM during a held login: time to exit (each round)', stopTimes.map((ms) => `${ms} ms`).join(', ')],
      ['SIGTERM during a held login: the next helper\'s state (each round)', blockedAfter.join(', ')],
      ['logins the server saw (Dovecot log: accepted / refused)', `${server.accepted} / ${server.failed}`],
      ['most sessions open at once (Dovecot log)', server.maxSessions],
    );
    checks.push(
      check(`SIGTERM during a held login: the helper ends within ${SIGTERM_MS / 1000} s`, stopTimes.every((ms) => ms < SIGTERM_MS), stopTimes.map((ms) => `${ms} ms`).join(', ')),
      check('SIGTERM during a held login: no session left at the server', leftOpen === 0, `${leftOpen} round(s) left one`),
      check('SIGTERM during a held login: the next helper waits for the user (the answer was never heard)', blockedAfter.every((st) => st === 'auth-failed'), blockedAfter.join(', ')),
      check('at most one session at once, at every moment (Dovecot log)', server.maxSessions <= 1, `${server.maxSessions}`),
      check('no session at the end', server.openAtEnd.size === 0, `${server.openAtEnd.size} open`),
    );
    return {
      title: 'One helper per home, and nothing left after SIGTERM',
      injected: `A second \`helper start\` on the same home while the first was connected; then ${p.rounds} round(s) of: the link cut, the reconnect's `
        + 'login passed to Dovecot with its answer held by the proxy, SIGTERM, a new helper started and one `helper retry`.',
      figures,
      checks,
      realMs: Date.now() - realStart,
    };
  } finally {
    world.proxy.resume();
    await home.remove();
    await world.stop();
  }
}
