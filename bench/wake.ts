/**
 * Waking up after the machine slept. The helper is stopped (SIGSTOP: its timers and sockets stand
 * still, as in a sleep) while the proxy cuts the link: every connection through it is destroyed
 * and new ones are refused (the network is down), and meanwhile another device delivers two
 * messages and reads one older one. After the sleep the network comes back, the helper is resumed
 * (SIGCONT) and the clock starts; it stops when the extension's badge shows the server's unread
 * count (real Chromium, the badge hook of bench/browser.ts). Beside it, when a WebSocket client
 * that stayed connected through the sleep first got that count from the helper: the helper's
 * share.
 *
 * `--cycles N --sleep S` (default 20 cycles of 300 s) set the run's length.
 */
import { buildMessage } from '../test/harness/messages';
import { connectOtherDevice, type OtherDevice } from '../test/harness/other-device';
import type { ServerMessage } from '../protocol';
import { sleep, type Bench } from './bench';
import { launchPairedBrowser } from './browser';
import { formatSummary, summarize } from './stats';
import { epochNow, startBenchHelper, startMailWorld, type MailWorld } from './world';

const UNREAD_AT_START = 5;
const NEW_PER_SLEEP = 2;

/** The unread count in a helper frame, if it carries one. */
function unreadIn(m: ServerMessage): number | undefined {
  if (m.type === 'delta') return m.unreadCount;
  if (m.type === 'snapshot' || m.type === 'account') return m.account.unreadCount;
  return undefined;
}

async function serverUnread(device: OtherDevice): Promise<number[]> {
  const unread: number[] = [];
  for (const uid of await device.listUids('INBOX')) if (!(await device.flagsOf('INBOX', uid)).includes('\\Seen')) unread.push(uid);
  return unread;
}

/**
 * What another device does while the machine sleeps: reads the oldest unread message and delivers
 * NEW_PER_SLEEP; returns the server's unread count after. A connection of its own each time: an idle
 * imapflow client closes its connection after 5 minutes, the length of a sleep.
 */
async function mailMeanwhile(world: MailWorld, cycle: number): Promise<number> {
  const [{ user, pass }] = world.users;
  const device = await connectOtherDevice({ host: world.dovecot.host, port: world.dovecot.port, user, pass });
  try {
    await device.addFlags('INBOX', (await serverUnread(device))[0], ['\\Seen']);
    for (let i = 0; i < NEW_PER_SLEEP; i++) await device.append('INBOX', buildMessage({ subject: `In sleep ${cycle}.${i}`, text: `arrived while asleep (${cycle}.${i})` }));
    return (await serverUnread(device)).length;
  } finally {
    await device.close();
  }
}

export const wakeBench: Bench = {
  name: 'wake',
  title: 'Waking up: resume after a sleep → the badge shows the server',
  together: true,
  async run({ quick, log, cycles: cyclesOption, sleepSeconds }) {
    const cycles = cyclesOption ?? (quick ? 3 : 20);
    const sleepMs = (sleepSeconds ?? (quick ? 20 : 300)) * 1000;
    const world = await startMailWorld();
    for (let i = 0; i < UNREAD_AT_START; i++) await world.append(buildMessage({ subject: `Before the sleep ${i}`, text: `message ${i}` }));
    const helper = await startBenchHelper(world, { via: 'proxy', name: 'wake' });
    const browser = await launchPairedBrowser(helper);
    const badge: number[] = [];
    const atClient: number[] = [];
    try {
      const client = await helper.client();
      await browser.badgeBecomes(String(UNREAD_AT_START), 60_000);
      for (let cycle = 0; cycle < cycles; cycle++) {
        process.kill(helper.pid, 'SIGSTOP');
        world.proxy.refuseNew(true);
        world.proxy.dropAll();
        const asleepAt = performance.now();
        const truth = await mailMeanwhile(world, cycle);
        await sleep(asleepAt + sleepMs - performance.now());
        world.proxy.refuseNew(false);
        const seen = client.waitForNext((m) => unreadIn(m) === truth, 120_000, `the count ${truth} at the client`).then(() => epochNow());
        const resumedAt = epochNow();
        process.kill(helper.pid, 'SIGCONT');
        const [badgeAt, clientAt] = await Promise.all([browser.badgeBecomes(String(truth), 120_000), seen]);
        badge.push(badgeAt - resumedAt);
        atClient.push(clientAt - resumedAt);
        log(`cycle ${cycle + 1}/${cycles}: badge ${truth} after ${(badgeAt - resumedAt).toFixed(0)} ms, client after ${(clientAt - resumedAt).toFixed(0)} ms`);
      }
      const b = summarize(badge);
      const logins = await helper.logins();
      return [
        {
          measure: `resume after ${sleepMs / 1000} s asleep (link cut, ${NEW_PER_SLEEP} new + 1 read meanwhile) → badge shows the server's count (${cycles} cycles)`,
          figure: `${formatSummary(b, 'ms', 0)}, max ${b.max.toFixed(0)} ms`,
          target: 'p50 ≤ 5 s, p99 ≤ 15 s',
          met: b.n === cycles && b.p50 <= 5_000 && b.p99 <= 15_000,
        },
        {
          measure: '… the same count at a WebSocket client that stayed connected (the helper\'s share)',
          figure: `${formatSummary(summarize(atClient), 'ms', 0)}; logins ${logins.length} (${logins.filter((e) => e.outcome !== 'success').length} failed), connections at the proxy ${world.proxy.connectionsTotal}`,
        },
      ];
    } finally {
      // Left stopped by a failed cycle, it could not stop; gone already, there is nothing to resume.
      try {
        process.kill(helper.pid, 'SIGCONT');
      } catch {
        log('the helper had exited');
      }
      world.proxy.refuseNew(false);
      await browser.close();
      await helper.stop();
      await world.close();
    }
  },
};
