/**
 * Scenario 6: the real helper in a crash loop under a service manager. It is started and killed
 * with SIGKILL at a seeded moment soon after it listens, again and again, with an account whose
 * password is wrong (Dovecot takes 2 s to say so), or with the link refusing every connection.
 * Before each start the persisted policy state says when the next login may be; the proxy must
 * see none earlier, none at all after a recorded rejection, and never a burst: ≤ 10 in the hour
 * whatever the number of restarts. Every connection must have been on disk before it was made.
 */
import type { LoginLogEntry } from '../../../protocol';
import { decide, POLICY_LIMITS } from '../../../helper/policy/policy-core';
import { FilePolicyStore } from '../../../helper/store/policy-store';
import { LoginLog, loginLogPath } from '../../../helper/store/login-log';
import { recordSecret } from '../../harness/test-log';
import { startHelperProcess } from '../../e2e/helper-process';
import { ACCOUNT_ID, ConnectionWatch } from '../driven-session';
import { helperHome } from '../helper-home';
import { prng } from '../prng';
import { check, maxInWindow, type Check, type Figure, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface CrashLoopParams {
  seed: number;
  /** Restarts per variant. */
  kills: number;
  /** The kill comes this long (at most, seeded) after the helper listens. */
  maxLifeMs: number;
}

export const CRASH_LOOP = {
  short: { seed: 6, kills: 6, maxLifeMs: 2_500 },
  full: { seed: 6, kills: 40, maxLifeMs: 3_000 },
} satisfies Record<string, CrashLoopParams>;

const HOUR = 3_600_000;
const WRONG = 'wrong-password-Zt7q';

export async function crashLoop(p: CrashLoopParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  recordSecret(WRONG);
  const world = await startWorld();
  const random = prng(p.seed);
  const figures: Figure[] = [];
  const checks: Check[] = [];
  let notes: string | undefined;
  try {
    for (const variant of ['wrong password', 'link refusing every connection'] as const) {
      const refusing = variant !== 'wrong password';
      world.proxy.refuseNew(refusing);
      world.proxy.resetCounters();
      const home = await helperHome({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: refusing ? world.pass : WRONG });
      const store = new FilePolicyStore({ stateDir: home.paths.stateDir, accountId: ACCOUNT_ID });
      const watch = new ConnectionWatch(world.proxy, { now: Date.now });
      const serverBefore = await world.serverLogins();
      const early: string[] = [];
      let leaked = false;
      let attempts = 0;
      let log: LoginLogEntry[] = [];
      try {
        for (let kill = 0; kill < p.kills; kill++) {
          const state = await store.loadState();
          const decision = state ? decide(state, Date.now()) : { kind: 'login' as const };
          const allowedFrom = decision.kind === 'login' ? 0 : decision.kind === 'wait' ? decision.until : Infinity;
          const before = watch.times.length;
          const helper = await startHelperProcess({ home: home.home, port: home.port, name: testFile });
          await new Promise((done) => setTimeout(done, Math.round(random() * p.maxLifeMs)));
          await helper.kill('SIGKILL');
          for (const at of watch.times.slice(before)) {
            if (at < allowedFrom) early.push(`start ${kill + 1}: login at +${at - realStart} ms, allowed from ${allowedFrom === Infinity ? 'never (auth-failed)' : `+${allowedFrom - realStart} ms`}`);
          }
          leaked ||= helper.output().includes(WRONG);
        }
        attempts = (await store.loadState())?.attempts.length ?? 0;
        log = await new LoginLog(loginLogPath(home.paths.stateDir, ACCOUNT_ID)).readAll();
      } finally {
        watch.stop();
        await home.remove();
      }
      const connections = world.proxy.connectionsTotal;
      const serverAfter = await world.serverLogins();
      const serverFailed = serverAfter.failed - serverBefore.failed;
      const serverAccepted = serverAfter.accepted - serverBefore.accepted;
      const outcomes = [...new Set(log.map((e) => e.outcome))].join(', ');
      figures.push(
        [`${variant}: helper starts, each ended by SIGKILL`, p.kills],
        [`${variant}: connections at the proxy`, connections],
        [`${variant}: logins the server saw (Dovecot log: accepted / refused)`, `${serverAccepted} / ${serverFailed}`],
        [`${variant}: failed logins (login log: ${outcomes || 'none'})`, log.filter((e) => e.outcome !== 'success').length],
        [`${variant}: attempts on disk (policy state)`, attempts],
      );
      checks.push(
        check(`${variant}: no burst (≤ ${POLICY_LIMITS.loginsPerHour} logins in the hour)`, maxInWindow(watch.times, HOUR) <= POLICY_LIMITS.loginsPerHour,
          `${connections} logins in ${p.kills} restarts`),
        check(`${variant}: no login before the persisted backoff or budget allowed it`, early.length === 0, early.join('; ') || 'none early'),
        refusing
          ? check(`${variant}: connections that never reached a login spent no login budget`, attempts === 0 && serverAccepted + serverFailed === 0,
            `${attempts} attempts on disk, ${connections} connections, ${serverAccepted + serverFailed} logins at the server`)
          : check(`${variant}: every login was on disk before it was sent`, attempts >= serverAccepted + serverFailed,
            `${attempts} attempts recorded, ${serverAccepted + serverFailed} logins at the server`),
        check(`${variant}: the password never printed`, !leaked, leaked ? 'found in the helper output' : 'not in any output'),
      );
      if (!refusing) {
        const interrupted = log.filter((e) => e.outcome === 'unknown').length;
        if (interrupted > 0) {
          notes = `with the wrong password, ${interrupted} login(s) were killed before the server's answer (Dovecot delays a rejection by 2 s). `
            + 'An answer never heard may have been a rejection, so it blocks like one until the user retries or enters a new password: '
            + 'a crash loop sends a wrong password once.';
        }
        checks.push(check('wrong password: exactly 1 wrong-password login reaches the server, whatever the crash loop',
          serverFailed === 1 && serverAccepted === 0, `Dovecot log: ${serverFailed} refused, ${serverAccepted} accepted; ${connections} connections at the proxy`));
        const rejected = log.findIndex((e) => e.outcome === 'auth-rejected');
        checks.push(check('wrong password: once rejected, never tried again across restarts', rejected < 0 || rejected === log.length - 1,
          rejected < 0 ? 'no rejection recorded (every login was killed before the answer)' : `${log.length - 1 - rejected} logins after the rejection`));
      }
    }
    return {
      title: 'The helper killed with SIGKILL in a loop (crash loop under a service manager)',
      injected: `The real helper (\`node helper/bin.mjs start\`, MAIL_NOTIFIER_HOME in a temp dir) started ${p.kills} times per variant and `
        + `killed with SIGKILL 0–${p.maxLifeMs} ms (seeded) after it listens: once with a wrong password, once with the proxy refusing every connection.`,
      figures,
      checks,
      realMs: Date.now() - realStart,
      notes,
    };
  } finally {
    world.proxy.refuseNew(false);
    await world.stop();
  }
}
