/**
 * Scenario 3: the machine sleeps. The link dies silently (proxy.stall: the server's side is gone,
 * no FIN reaches us), the wall clock jumps by hours while timers stand still, and meanwhile
 * another device delivers mail, reads some and deletes some. On wake the session must probe at
 * once (not after a heartbeat) and converge: its unread set equal to the server's.
 */
import { DrivenSession } from '../driven-session';
import { prng } from '../prng';
import { check, mailChecks, seconds, tally, type ScenarioResult } from '../report';
import { startWorld, type World } from '../world';

export interface SleepWakeParams {
  seed: number;
  rounds: number;
  /** Messages delivered during each sleep. */
  mailPerSleep: number;
}

export const SLEEP_WAKE = {
  short: { seed: 3, rounds: 2, mailPerSleep: 3 },
  full: { seed: 3, rounds: 8, mailPerSleep: 5 },
} satisfies Record<string, SleepWakeParams>;

const HOUR = 3_600_000;

/** UIDs of INBOX messages without \Seen, ascending, as the server has them. */
async function serverUnread(world: World): Promise<number[]> {
  const unread: number[] = [];
  for (const uid of await world.other.listUids('INBOX')) {
    if (!(await world.other.flagsOf('INBOX', uid)).includes('\\Seen')) unread.push(uid);
  }
  return unread;
}

export async function sleepWake(p: SleepWakeParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const random = prng(p.seed);
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  const { tickMs, commandTimeoutMs, heartbeatMs, clockJumpMs } = s.tuning;
  const bound = tickMs + commandTimeoutMs;
  const appended: number[] = [];
  const detections: number[] = [];
  const convergence: number[] = [];
  const sleeps: number[] = [];
  const mismatches: string[] = [];
  let readElsewhere = 0;
  let deletedElsewhere = 0;

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    for (let round = 0; round < p.rounds; round++) {
      await s.runFor(Math.round(random() * heartbeatMs));
      // Asleep: the link is dead without a word, the world moves on.
      world.proxy.stall();
      s.linkStalled = true;
      const unreadBefore = await serverUnread(world);
      if (unreadBefore.length > 0) {
        await world.other.addFlags('INBOX', unreadBefore[Math.floor(random() * unreadBefore.length)], ['\\Seen']);
        readElsewhere++;
      }
      if (unreadBefore.length > 1) {
        await world.other.expunge('INBOX', unreadBefore[Math.floor(random() * unreadBefore.length)]);
        deletedElsewhere++;
      }
      for (let i = 0; i < p.mailPerSleep; i++) appended.push(await world.deliver(appended.length + 1));
      const slept = Math.round(HOUR + random() * 11 * HOUR);
      sleeps.push(slept);
      s.clock.sleep(slept);
      // Awake.
      const wokeAt = s.clock.elapsed;
      await s.runUntilTrue(() => s.state !== 'idle', 2 * heartbeatMs);
      detections.push((s.firstAt('connecting', wokeAt) ?? Infinity) - wokeAt);
      world.proxy.resume();
      s.linkStalled = false;
      const truth = await serverUnread(world);
      const converged = () =>
        s.state === 'idle' && s.session.unreadCount === truth.length && s.session.previews().map((pv) => pv.key.uid).sort((a, b) => a - b).join() === truth.join();
      if (!(await s.runUntilTrue(converged, HOUR))) {
        mismatches.push(`round ${round + 1}: server ${truth.join(',')}, session ${s.session.previews().map((pv) => pv.key.uid).join(',')}`);
      }
      convergence.push(s.clock.elapsed - wokeAt);
    }
    const t = tally(appended, s.notified());
    const log = await s.loginLog();
    return {
      title: 'Sleep and wake: the wall clock jumps by hours while the link died silently',
      injected: `${p.rounds} sleeps of ${sleeps.map(seconds).join(', ')} (wall clock only; timers stand still; seed ${p.seed}), each with `
        + `the link stalled silently; during the sleeps another device delivered ${appended.length} messages, read ${readElsewhere} `
        + `and deleted ${deletedElsewhere}.`,
      figures: [
        ['messages appended', t.appended],
        ['messages reported (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['logins made (connections at the proxy)', s.connections.times.length],
        ['failed logins (login log)', log.filter((e) => e.outcome !== 'success').length],
        ['clock-jump threshold (tuning)', seconds(clockJumpMs)],
        ['stated bound after wake (tick + probe deadline)', seconds(bound)],
        ['dead link noticed after wake (virtual, max)', seconds(Math.max(...detections))],
        ['time to recover: wake → unread set equals the server (virtual, max)', seconds(Math.max(...convergence))],
      ],
      checks: [
        ...mailChecks(t),
        check(`probe at once on wake (within ${seconds(bound)}, not the ${seconds(heartbeatMs)} heartbeat)`, detections.every((d) => d <= bound),
          `noticed after ${detections.map(seconds).join(', ')}`),
        check('unread set equals the server after every wake', mismatches.length === 0, mismatches.join('; ') || `${p.rounds}/${p.rounds} converged`),
        check('one new login per wake', s.connections.times.length === 1 + p.rounds, `${s.connections.times.length} connections for ${p.rounds} wakes`),
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
