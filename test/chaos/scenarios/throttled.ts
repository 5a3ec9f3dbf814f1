/**
 * Scenario 5: the server says "not now" (a scripted server): `NO [UNAVAILABLE]` or `NO [LIMIT]`
 * to LOGIN, or `* BYE` as its greeting. Each must lead to a backoff of at least the policy's
 * throttle minimum (15 min, virtual), never to `auth-failed`, and stay within the login budget
 * for a simulated day. A BYE greeting comes before any login command: it is no login, so it is
 * not logged as one and spends no budget, but it waits as long.
 */
import { HOUR, POLICY_LIMITS } from '../../../helper/policy/policy-core';
import { startScriptedImap, type ImapScript } from '../../harness/scripted-imap';
import { DrivenSession } from '../driven-session';
import { check, maxInWindow, seconds, type Check, type Figure, type ScenarioResult } from '../report';

export interface ThrottledParams {
  seed: number;
  hours: number;
}

export const THROTTLED = {
  short: { seed: 5, hours: 24 },
  full: { seed: 5, hours: 48 },
} satisfies Record<string, ThrottledParams>;

const GREETING = '* OK [CAPABILITY IMAP4rev1] ready';
const ANSWERS: Record<string, ImapScript> = {
  'NO [UNAVAILABLE] to LOGIN': { greeting: GREETING, login: 'NO [UNAVAILABLE] Temporary authentication failure.' },
  'NO [LIMIT] to LOGIN': { greeting: GREETING, login: 'NO [LIMIT] Maximum number of connections from user+IP exceeded' },
  '* BYE at greeting': { greeting: '* BYE Too many connections, try later' },
};

export async function throttled(p: ThrottledParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const figures: Figure[] = [];
  const checks: Check[] = [];
  const { throttleMinMs, loginsPerHour, loginsPerDay } = POLICY_LIMITS;
  for (const [name, script] of Object.entries(ANSWERS)) {
    const server = await startScriptedImap(script);
    const s = await DrivenSession.start({ host: server.host, port: server.port, user: 'me', pass: 'scripted-pass-1', link: server, seed: p.seed, testFile });
    try {
      await s.runFor(p.hours * HOUR);
      const times = s.connections.times;
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      const log = await s.loginLog();
      const states = new Set(s.timeline.map((e) => e.state));
      // What the server counts: the LOGIN commands it received (a BYE greeting gets none).
      const serverLogins = server.commands.filter((c) => c === 'LOGIN').length;
      const loginTimes = serverLogins === 0 ? [] : times;
      figures.push(
        [`${name}: connections in ${p.hours} virtual hours / LOGIN commands the server received`, `${times.length} / ${serverLogins}`],
        [`${name}: failed logins (login log), all “throttled”`, `${log.length}, ${log.filter((e) => e.outcome === 'throttled').length}`],
        [`${name}: shortest gap between two connections (virtual)`, seconds(Math.min(...gaps))],
        [`${name}: most connections in a rolling hour / day`, `${maxInWindow(times, HOUR)} / ${maxInWindow(times, 24 * HOUR)}`],
      );
      checks.push(
        check(`${name}: never auth-failed`, !states.has('auth-failed'), `states seen: ${[...states].join(', ')}`),
        check(`${name}: every connection followed by ≥ ${seconds(throttleMinMs)} of backoff`, times.length > 1 && gaps.every((g) => g >= throttleMinMs),
          `${times.length} connections, shortest gap ${seconds(Math.min(...gaps))}`),
        serverLogins === 0
          ? check(`${name}: no login command sent, none logged (no budget spent)`, log.length === 0, `${log.length} logged`)
          : check(`${name}: every login logged as throttled`, log.length === serverLogins && log.every((e) => e.outcome === 'throttled'),
            `${log.length} logged of ${serverLogins} at the server, outcomes ${[...new Set(log.map((e) => e.outcome))].join(', ')}`),
        check(`${name}: within the budget`, maxInWindow(loginTimes, HOUR) <= loginsPerHour && maxInWindow(loginTimes, 24 * HOUR) <= loginsPerDay
          && maxInWindow(times, HOUR) <= loginsPerHour,
          `logins: most in a rolling hour ${maxInWindow(loginTimes, HOUR)}, in a rolling day ${maxInWindow(loginTimes, 24 * HOUR)}; connections in an hour ${maxInWindow(times, HOUR)}`),
      );
    } finally {
      await s.stop();
      await server.close();
    }
  }
  return {
    title: 'Throttling answers from a scripted server',
    injected: `A scripted IMAP server answering every login with one of: ${Object.keys(ANSWERS).join('; ')}; ${p.hours} virtual hours each.`,
    figures,
    checks,
    realMs: Date.now() - realStart,
  };
}
