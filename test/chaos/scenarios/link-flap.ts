/**
 * Scenario 1: the link is cut every few seconds to every few minutes (log-uniform, seeded) for a
 * simulated day while mail keeps arriving. A cut either kills the live connection at once, or,
 * when there is none, is armed to kill the next connection in the middle of its next FETCH.
 */
import type { ImapFlow } from 'imapflow';
import { HOUR, POLICY_LIMITS } from '../../../helper/policy/policy-core';
import { DrivenSession } from '../driven-session';
import { logUniform, prng } from '../prng';
import { check, mailChecks, maxInWindow, median, seconds, tally, type ScenarioResult } from '../report';
import { serverLogins } from '../server-log';
import { startWorld } from '../world';

export interface LinkFlapParams {
  seed: number;
  hours: number;
  /** Mean gap between two new messages (exponential). */
  mailEveryMs: number;
  dropMinMs: number;
  dropMaxMs: number;
  /** Of the cuts that find no live link, the share armed to kill the next one mid-FETCH. */
  armShare: number;
}

export const LINK_FLAP = {
  short: { seed: 1, hours: 24, mailEveryMs: 40 * 60_000, dropMinMs: 3_000, dropMaxMs: 10 * 60_000, armShare: 0.05 },
  full: { seed: 1, hours: 24, mailEveryMs: 8 * 60_000, dropMinMs: 3_000, dropMaxMs: 10 * 60_000, armShare: 0.05 },
} satisfies Record<string, LinkFlapParams>;

/** How long a message may take to be announced while the session is connected (Dovecot holds IDLE news 0.5 s). */
const PUSH_REAL_MS = 5_000;
/** After the last cut: enough virtual time for any backoff or budget pause to end. */
const SETTLE_AFTER_MS = 2 * HOUR;
/** The goal of issue 14: the budget spread over the day, never a longer gap than this. */
const LONGEST_OUTAGE_GOAL_MS = 30 * 60_000;

/** The q-quantile (0–1) of `values`. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

type Event = { at: number; kind: 'cut' | 'mail' };

function schedule(p: LinkFlapParams): Event[] {
  const random = prng(p.seed * 7919);
  const end = p.hours * HOUR;
  const events: Event[] = [];
  for (let at = logUniform(random, p.dropMinMs, p.dropMaxMs); at < end; at += logUniform(random, p.dropMinMs, p.dropMaxMs)) {
    events.push({ at, kind: 'cut' });
  }
  for (let at = Math.round(-Math.log(1 - random()) * p.mailEveryMs); at < end; at += Math.round(-Math.log(1 - random()) * p.mailEveryMs)) {
    events.push({ at, kind: 'mail' });
  }
  return events.sort((a, b) => a.at - b.at);
}

/** What the pacing does to a link this bad, in words. */
function pacingNote(times: readonly number[], connected: { longestOutage: number }, availability: { longestOutage: number }): string {
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  return `with a cut every ${seconds(3_000)}–${seconds(600_000)}, nearly every login is followed by a cut within minutes. The pacing `
    + `(each next login no sooner than what is left of the window divided by the logins left in it, after the first ${POLICY_LIMITS.pacingFreeLogins}) `
    + `spreads the ${POLICY_LIMITS.loginsPerDay} logins of the day over the day: the median gap between two logins was ${seconds(median(gaps))}, `
    + `the longest time without a connection ${seconds(connected.longestOutage)} (before the pacing: all 60 logins spent 5.6 h into the day, `
    + 'then 18.4 h without a connection). A connection the next cut kills during its first sync (the mid-FETCH cuts) delivers nothing, so the '
    + `longest time without a synced, idle connection is longer: ${seconds(availability.longestOutage)}. New mail that arrives while the link is `
    + 'down waits for the next login that reaches idle: that is the delay distribution above.';
}

export async function linkFlap(p: LinkFlapParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const random = prng(p.seed);
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  const counts = { cutsLive: 0, cutsIdle: 0, armed: 0, midFetch: 0, late: 0 };
  const recoveries: number[] = [];
  const pushLatencies: number[] = [];
  const appended: number[] = [];
  /** Virtual times: when each UID was appended, and when it was first announced. */
  const appendedAt = new Map<number, number>();
  const announcedAt = new Map<number, number>();
  /** Virtual time of each live cut: the wait to the next connect starts there. */
  const cutTimes: number[] = [];
  let downSince: number | null = null;
  let armed = false;

  s.clients.on('client', (client: ImapFlow) => {
    const fetchAll = client.fetchAll.bind(client);
    client.fetchAll = ((...args: Parameters<ImapFlow['fetchAll']>) => {
      if (armed) {
        armed = false;
        counts.midFetch++;
        downSince ??= s.clock.elapsed;
        world.proxy.dropAll();
      }
      return fetchAll(...args);
    }) as ImapFlow['fetchAll'];
  });
  s.session.on('delta', (delta: { notify: { uid: number }[] }) => {
    for (const key of delta.notify) if (!announcedAt.has(key.uid)) announcedAt.set(key.uid, s.clock.elapsed);
  });
  s.session.on('status', (status: { state: string }) => {
    if (status.state === 'idle' && downSince !== null) {
      recoveries.push(s.clock.elapsed - downSince);
      downSince = null;
    }
  });

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    for (const event of schedule(p)) {
      await s.runUntil(event.at);
      if (event.kind === 'cut') {
        if (s.state === 'idle') {
          counts.cutsLive++;
          downSince = s.clock.elapsed;
          cutTimes.push(s.clock.elapsed);
          world.proxy.dropAll();
        } else {
          counts.cutsIdle++;
          if (!armed && random() < p.armShare) {
            armed = true;
            counts.armed++;
          }
        }
        continue;
      }
      const uid = await world.deliver(appended.length + 1);
      appended.push(uid);
      appendedAt.set(uid, s.clock.elapsed);
      if (s.state !== 'idle') continue;
      const sent = Date.now();
      try {
        await s.recorder.until(() => s.notified().includes(uid) || s.state !== 'idle', 'the new message, or the link to drop', PUSH_REAL_MS);
        if (s.notified().includes(uid)) pushLatencies.push(Date.now() - sent);
      } catch {
        counts.late++;
      }
    }
    await s.runUntil(p.hours * HOUR);
    const availability = s.idleTime(p.hours * HOUR);
    // Logged in (syncing or idle): a connection, even one the next cut kills during its first sync.
    const connected = s.idleTime(p.hours * HOUR, new Set(['syncing', 'idle']));
    armed = false;
    const converged = await s.runUntilTrue(() => s.state === 'idle' && s.session.unreadCount === appended.length, SETTLE_AFTER_MS);

    const t = tally(appended, s.notified());
    const log = await s.loginLog();
    const logTimes = log.map((e) => e.at);
    const proxyTimes = s.connections.times;
    const { loginsPerHour, loginsPerDay } = POLICY_LIMITS;
    const hourProxy = maxInWindow(proxyTimes, HOUR);
    const hourLog = maxInWindow(logTimes, HOUR);
    const dayProxy = maxInWindow(proxyTimes, 24 * HOUR);
    const server = await world.serverLogins();
    const connects = s.connectTimes();
    const reconnectWaits = cutTimes.flatMap((cut) => {
      const next = connects.find((t) => t > cut);
      return next === undefined ? [] : [next - cut];
    });
    const delays = appended.flatMap((uid) => (announcedAt.has(uid) ? [announcedAt.get(uid)! - appendedAt.get(uid)!] : []));
    const shortestWait = Math.min(...reconnectWaits);
    return {
      title: 'Link cut every few seconds to every few minutes for a simulated day, mail arriving',
      injected: `${counts.cutsLive + counts.cutsIdle} cuts over ${p.hours} virtual hours (gaps ${seconds(p.dropMinMs)}–${seconds(p.dropMaxMs)}, `
        + `log-uniform, seed ${p.seed}): ${counts.cutsLive} killed a live connection, ${counts.cutsIdle} found none`
        + ` (${counts.armed} of those armed to kill the next connection mid-FETCH, ${counts.midFetch} fired); `
        + `${appended.length} messages APPENDed by another device (mean gap ${seconds(p.mailEveryMs)}).`,
      figures: [
        ['messages appended', t.appended],
        ['messages reported (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['logins made (connections at the proxy)', proxyTimes.length],
        ['logins the server saw (Dovecot log: accepted / refused)', `${server.accepted} / ${server.failed}`],
        ['most sessions open at once (Dovecot log)', server.maxSessions],
        ['failed logins (login log)', log.filter((e) => e.outcome !== 'success').length],
        ['most logins in any rolling hour (proxy / log)', `${hourProxy} / ${hourLog}`],
        ['logins in the rolling day (proxy)', dayProxy],
        ['most connections open at once (sampled at every connect)', s.connections.maxOpen],
        ['longest time without a connection (logged in, syncing or idle; virtual)', seconds(connected.longestOutage)],
        ['time idle and synced (virtual share of the day) / longest time without', `${Math.round((100 * availability.idle) / (p.hours * HOUR))} % / ${seconds(availability.longestOutage)}`],
        ['time to recover after a cut (virtual, median / max)', `${seconds(median(recoveries))} / ${seconds(Math.max(0, ...recoveries))}`],
        ['wait from a cut to the next connect (virtual, shortest / median)', `${seconds(shortestWait)} / ${seconds(median(reconnectWaits))}`],
        ['new-mail delay, append → announced (virtual: median / p90 / p99 / max)',
          `${seconds(quantile(delays, 0.5))} / ${seconds(quantile(delays, 0.9))} / ${seconds(quantile(delays, 0.99))} / ${seconds(Math.max(0, ...delays))}`],
        ['messages announced at once while connected / after waiting for a login', `${delays.filter((d) => d < 1_000).length} / ${delays.filter((d) => d >= 1_000).length}`],
        ['new-mail latency while connected (real, median / max)', `${median(pushLatencies)} ms / ${Math.max(0, ...pushLatencies)} ms`],
        ['messages not announced within 5 s while connected', counts.late],
      ],
      checks: [
        ...mailChecks(t),
        check('unread list converged to the server', converged, `unread ${s.session.unreadCount}, appended (all unread) ${appended.length}`),
        check(`≤ ${loginsPerHour} logins in any rolling hour`, hourProxy <= loginsPerHour && hourLog <= loginsPerHour, `proxy ${hourProxy}, log ${hourLog}`),
        check(`≤ ${loginsPerDay} logins in the day`, dayProxy <= loginsPerDay && maxInWindow(logTimes, 24 * HOUR) <= loginsPerDay, `proxy ${dayProxy}`),
        check('every connection is a logged login', proxyTimes.length === log.length && world.proxy.connectionsTotal === log.length, `proxy ${world.proxy.connectionsTotal}, log ${log.length}`),
        check('never two connections at once', s.connections.maxOpen <= 1 && server.maxSessions <= 1, `max open ${s.connections.maxOpen} (proxy), ${server.maxSessions} sessions (Dovecot log)`),
        check('the server saw every login, none refused', server.accepted === log.length && server.failed === 0, `Dovecot: ${server.accepted} accepted, ${server.failed} refused; login log ${log.length}`),
        check(`longest time without a connection ≤ ${seconds(LONGEST_OUTAGE_GOAL_MS)}`, connected.longestOutage <= LONGEST_OUTAGE_GOAL_MS, seconds(connected.longestOutage)),
        check(`no reconnect sooner than ${seconds(POLICY_LIMITS.backoffFloorMs)} after a cut`, shortestWait >= POLICY_LIMITS.backoffFloorMs, `shortest ${seconds(shortestWait)} over ${reconnectWaits.length} cuts`),
        check('faults really hit live links', counts.cutsLive > 0 && counts.midFetch > 0, `${counts.cutsLive} live cuts, ${counts.midFetch} mid-FETCH`),
      ],
      realMs: Date.now() - realStart,
      notes: pacingNote(proxyTimes, connected, availability),
    };
  } finally {
    await s.stop();
    await world.stop();
  }
}
