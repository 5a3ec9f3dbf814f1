/**
 * Scenario 5: the server says "not now" (a scripted server): `NO [UNAVAILABLE]` or `NO [LIMIT]`
 * to LOGIN, or `* BYE` as its greeting. Each must lead to a backoff of at least the policy's
 * throttle minimum (15 min, virtual), never to `auth-failed`, and stay within the login budget
 * for a simulated day.
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
      figures.push(
        [`${name}: logins in ${p.hours} virtual hours (connections)`, times.length],
        [`${name}: failed logins (login log), all “throttled”`, `${log.length}, ${log.filter((e) => e.outcome === 'throttled').length}`],
        [`${name}: shortest gap between two logins (virtual)`, seconds(Math.min(...gaps))],
        [`${name}: most logins in a rolling hour / day`, `${maxInWindow(times, HOUR)} / ${maxInWindow(times, 24 * HOUR)}`],
      );
      checks.push(
        check(`${name}: never auth-failed`, !states.has('auth-failed'), `states seen: ${[...states].join(', ')}`),
        check(`${name}: every login followed by ≥ ${seconds(throttleMinMs)} of backoff`, times.length > 1 && gaps.every((g) => g >= throttleMinMs),
          `${times.length} logins, shortest gap ${seconds(Math.min(...gaps))}`),
        check(`${name}: all logged as throttled`, log.length === times.length && log.every((e) => e.outcome === 'throttled'),
          `${log.length} logged, outcomes ${[...new Set(log.map((e) => e.outcome))].join(', ')}`),
        check(`${name}: within the budget`, maxInWindow(times, HOUR) <= loginsPerHour && maxInWindow(times, 24 * HOUR) <= loginsPerDay,
          `most in a rolling hour ${maxInWindow(times, HOUR)}, in a rolling day ${maxInWindow(times, 24 * HOUR)}`),
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
