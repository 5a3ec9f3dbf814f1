/**
 * Scenario (issue 14, points 3 and 5): the link goes silent before the greeting for hours (every
 * new connection is accepted and then nothing passes). None of those connects reached a login, so
 * none may spend the login budget; they back off on their own ladder, never sooner than 5 s after
 * a failure; when the link heals the account logs in at its next try, not paused by a budget
 * spent on nothing. Counted at the proxy, in the policy and in Dovecot's log.
 */
import { HOUR, POLICY_LIMITS } from '../../../helper/policy/policy-core';
import { DrivenSession } from '../driven-session';
import { check, median, seconds, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface StallBeforeLoginParams {
  seed: number;
  /** Virtual hours the link stays silent. */
  hours: number;
}

export const STALL_BEFORE_LOGIN = {
  short: { seed: 3, hours: 2 },
  full: { seed: 3, hours: 6 },
} satisfies Record<string, StallBeforeLoginParams>;

export async function stallBeforeLogin(p: StallBeforeLoginParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    const logBefore = (await s.loginLog()).length;
    const serverBefore = await world.serverLogins();
    const connectionsBefore = s.connections.times.length;
    world.proxy.stall();
    s.linkStalled = true;
    const silentFrom = s.clock.elapsed;
    world.proxy.dropAll();
    await s.runFor(p.hours * HOUR);
    const stalledConnects = s.connections.times.slice(connectionsBefore);
    const budgetDuring = s.policy.snapshot();
    const statesDuring = new Set(s.timeline.filter((e) => e.at > 0).map((e) => e.state));
    const logDuring = (await s.loginLog()).length - logBefore;
    const serverDuring = await world.serverLogins();
    world.proxy.resume();
    s.linkStalled = false;
    const healedAt = s.clock.elapsed;
    const back = await s.runUntilTrue(() => s.state === 'idle', HOUR);
    const recovery = s.clock.elapsed - healedAt;
    const { connectTimeoutMs } = s.tuning;
    // From each failed connect (the backoff shown) to the next connect, on the session's own timeline.
    const waits = s.timeline.flatMap((e, i) => {
      if (e.at < silentFrom || e.at > healedAt || e.state !== 'backoff') return [];
      const next = s.timeline.slice(i + 1).find((n) => n.state === 'connecting' && n.reason === undefined);
      return next && next.at <= healedAt ? [next.at - e.at] : [];
    });
    const shortest = Math.min(...waits);
    return {
      title: 'Link silent before the greeting for hours: connects are not logins',
      injected: `${p.hours} virtual hours in which every new connection was accepted by the proxy and then held silent (no greeting), then the link healed.`,
      figures: [
        ['connects while silent (proxy)', stalledConnects.length],
        ['logins while silent (login log / Dovecot log)', `${logDuring} / ${serverDuring.accepted + serverDuring.failed - serverBefore.accepted - serverBefore.failed}`],
        ['login budget used at the end of the silence (hour / day)', `${budgetDuring.loginsLastHour} / ${budgetDuring.loginsLastDay}`],
        ['backoff after a failed connect (virtual: shortest / median / longest)', `${seconds(shortest)} / ${seconds(median(waits))} / ${seconds(Math.max(...waits))}`],
        ['states shown while silent', [...statesDuring].join(', ')],
        ['time from healing to idle (virtual)', seconds(recovery)],
      ],
      checks: [
        check('no connect that never got a greeting counts as a login', logDuring === 0 && serverDuring.accepted + serverDuring.failed === serverBefore.accepted + serverBefore.failed,
          `${stalledConnects.length} connects, ${logDuring} logged logins`),
        check('the login budget is untouched by them', budgetDuring.loginsLastHour <= 1, `${budgetDuring.loginsLastHour} in the last hour (the first login only)`),
        check(`never a connect sooner than ${seconds(POLICY_LIMITS.backoffFloorMs)} after a failed one`, waits.length > 2 && shortest >= POLICY_LIMITS.backoffFloorMs, `shortest backoff ${seconds(shortest)} over ${waits.length} failed connects`),
        check('never paused for a budget while silent', !statesDuring.has('paused'), [...statesDuring].join(', ')),
        check('logs in once the link heals, within the longest connect backoff', back && recovery <= POLICY_LIMITS.backoffCapMs + connectTimeoutMs, `${seconds(recovery)}, state ${s.state}`),
        check('never two connections at once', s.connections.maxOpen <= 1, `max open ${s.connections.maxOpen}`),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    world.proxy.resume();
    await s.stop();
    await world.stop();
  }
}
