/**
 * What each account costs as accounts grow, and what a burst of mail costs.
 *
 * Idle: three helpers side by side, with 1, 3 and 10 accounts, each account over TLS (as to
 * iCloud) and through a counting proxy of the helper's own, each INBOX holding 20 unread messages
 * (every fourth an HTML-only newsletter, as in the idle benchmark), one browser client per helper
 * pinging every 20 s. After a minute of warm-up, /proc is read every 10 s for 10 minutes. The
 * cost of each account after the first is (median RSS with n accounts − median RSS with 1) / (n − 1):
 * the one-account helper, measured in the same run, is the floor.
 *
 * Burst: then the 10-account helper alone, paired with the real extension in Chromium, gets 1,000
 * messages in one minute in one account (one APPEND every 60 ms by another device). The helper's
 * CPU time from the first APPEND until the last message has reached a client and the helper has been
 * quiet for 2 s; the desktop notifications the extension asked for (its chrome.notifications.create
 * calls) and the helper's deltas that named new mail.
 */
import { readFile } from 'node:fs/promises';
import { buildMessage } from '../test/harness/messages';
import { connectOtherDevice } from '../test/harness/other-device';
import { startProxy, type TcpProxy } from '../test/harness/proxy';
import { pollUntil } from '../test/harness/wait';
import type { TestClient } from '../test/server/helpers';
import { countText } from '../extension/badge';
import type { ServerMessage } from '../protocol';
import { quiet, sleep, type Bench, type Row } from './bench';
import { launchPairedBrowser } from './browser';
import { cpuPercent, sampleProcess, type ProcSample } from './proc';
import { summarize } from './stats';
import { startTlsFront, type TlsFront } from './tls-front';
import { startBenchHelper, startMailWorld, type BenchHelper, type MailWorld } from './world';

const SIZES = [1, 3, 10];
const UNREAD = 20;
const HTML_ONLY_EVERY = 4;
const PING_EVERY_MS = 20_000;
const SAMPLE_EVERY_MS = 10_000;
const BURST = 1_000;
const BURST_MS = 60_000;

interface Fleet {
  accounts: number;
  proxy: TcpProxy;
  tls: TlsFront;
  helper: BenchHelper;
  samples: ProcSample[];
}

/** Anonymous (heap, malloc) and file-backed (code, mapped libraries) resident memory, from smaps_rollup. */
async function memoryKinds(pid: number): Promise<string> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return `anonymous ${(kib('Anonymous') / 1024).toFixed(1)} MiB, file-backed ${((kib('Rss') - kib('Anonymous')) / 1024).toFixed(1)} MiB`;
}

async function fillInboxes(world: MailWorld): Promise<void> {
  for (const { user, pass } of world.users) {
    const device = await connectOtherDevice({ host: world.dovecot.host, port: world.dovecot.port, user, pass });
    try {
      for (let i = 0; i < UNREAD; i++) {
        const body = i % HTML_ONLY_EVERY === 0 ? { html: `<html><body><h1>News ${i}</h1><p>Read <a href="https://example.com/${i}">more</a> &amp; more.</p></body></html>` } : { text: `unread ${i}` };
        await device.append('INBOX', buildMessage({ subject: `Waiting ${i} for ${user}`, ...body }));
      }
    } finally {
      await device.close();
    }
  }
}

/** Resolves once every account in `ids` is idle by the last word the client got about it. */
async function allIdle(client: TestClient, ids: string[]): Promise<void> {
  const idle = () => {
    const states = new Map<string, string>();
    for (const m of client.received) if (m.type === 'snapshot' || m.type === 'account') states.set(m.account.id, m.account.state);
    return ids.every((id) => states.get(id) === 'idle');
  };
  await pollUntil(async () => idle(), { what: `${ids.length} accounts idle`, timeoutMs: 60_000, intervalMs: 100 });
}

async function startFleet(world: MailWorld, accounts: number): Promise<Fleet> {
  const proxy = await startProxy({ targetHost: world.dovecot.host, targetPort: world.dovecot.port });
  const tls = await startTlsFront({ host: proxy.host, port: proxy.port });
  const helper = await startBenchHelper(world, { via: tls, name: `accounts-${accounts}`, accounts });
  return { accounts, proxy, tls, helper, samples: [] };
}

async function stopFleet(fleet: Fleet): Promise<void> {
  await fleet.helper.stop();
  await fleet.tls.close();
  await fleet.proxy.close();
}

async function burst(world: MailWorld, fleet: Fleet, log: (line: string) => void): Promise<Row[]> {
  const browser = await launchPairedBrowser(fleet.helper);
  try {
    const client = await fleet.helper.client();
    const total = fleet.accounts * UNREAD;
    await browser.badgeBecomes(countText(total), 60_000);
    // A connection of its own: the world's other device has been idle longer than imapflow keeps one.
    const [{ user, pass }] = world.users;
    const device = await connectOtherDevice({ host: world.dovecot.host, port: world.dovecot.port, user, pass });
    const before = await sampleProcess(fleet.helper.pid);
    const started = performance.now();
    for (let i = 0; i < BURST; i++) {
      await sleep(started + (i * BURST_MS) / BURST - performance.now());
      await device.append('INBOX', buildMessage({ subject: `Burst ${i}`, text: `message ${i} of the burst` }));
    }
    const appendedMs = performance.now() - started;
    await device.close();
    await client.waitFor((m) => m.type === 'delta' && m.unreadCount === UNREAD + BURST, 120_000, 'the whole burst at a client');
    const lastAt = performance.now();
    await quiet(() => fleet.proxy.bytesServerToClient, 2_000, 120_000);
    const after = await sampleProcess(fleet.helper.pid);
    const notifying = client.received.filter((m): m is Extract<ServerMessage, { type: 'delta' }> => m.type === 'delta' && m.notify.length > 0);
    const notified = notifying.reduce((sum, m) => sum + m.notify.length, 0);
    const shown = await browser.notificationsShown();
    log(`burst: appended in ${(appendedMs / 1000).toFixed(1)} s, last at a client ${((lastAt - started) / 1000).toFixed(1)} s after the first; notify sizes ${notifying.map((m) => m.notify.length).join(' ')}; notifications: ${shown.join(' | ')}`);
    const cpu = after.cpuSeconds - before.cpuSeconds;
    return [
      {
        measure: `burst: ${BURST.toLocaleString('en')} messages in ${BURST_MS / 60_000} min to one of ${fleet.accounts} accounts: helper CPU until all are reported and the link is quiet`,
        figure: `${cpu.toFixed(2)} s (${((cpu / BURST) * 1000).toFixed(2)} ms per message); last message at a client ${((lastAt - started) / 1000).toFixed(1)} s after the first APPEND`,
        target: '≤ 1 s',
        met: cpu <= 1,
      },
      {
        measure: 'burst: desktop notifications the extension showed (chrome.notifications.create calls)',
        figure: `${shown.length} (${shown.filter((t) => / new messages$/.test(t)).length} grouped); the helper named ${notified} new messages in ${notifying.length} deltas`,
        target: 'one grouped notification',
        met: shown.length === 1 && notified === BURST,
      },
    ];
  } finally {
    await browser.close();
  }
}

export const accountsBench: Bench = {
  name: 'accounts',
  title: 'As accounts grow: idle cost per account over TLS, and a burst of 1,000 messages',
  together: true,
  async run({ quick, log }) {
    const [warmupMs, windowMs] = quick ? [10_000, 60_000] : [60_000, 600_000];
    const world = await startMailWorld({ users: Math.max(...SIZES) });
    await fillInboxes(world);
    const fleets: Fleet[] = [];
    const pinging: NodeJS.Timeout[] = [];
    try {
      for (const accounts of SIZES) {
        const fleet = await startFleet(world, accounts);
        fleets.push(fleet);
        const client = await fleet.helper.client();
        await allIdle(client, world.users.slice(0, accounts).map((u) => u.id));
        pinging.push(setInterval(() => void client.request({ type: 'ping' }).catch(() => undefined), PING_EVERY_MS));
      }
      await sleep(warmupMs);
      const first = performance.now();
      for (let t = 0; t <= windowMs; t += SAMPLE_EVERY_MS) {
        await sleep(first + t - performance.now());
        for (const fleet of fleets) fleet.samples.push(await sampleProcess(fleet.helper.pid));
      }
      const rows: Row[] = [];
      const medianRss = (fleet: Fleet) => summarize(fleet.samples.map((s) => s.rssMiB)).p50;
      const floor = medianRss(fleets[0]);
      for (const fleet of fleets) {
        const cpu = cpuPercent(fleet.samples[0], fleet.samples[fleet.samples.length - 1]);
        const rss = summarize(fleet.samples.map((s) => s.rssMiB));
        const perAccount = fleet.accounts > 1 ? (rss.p50 - floor) / (fleet.accounts - 1) : undefined;
        const connections = `${fleet.proxy.connectionsOpen} open / ${fleet.proxy.connectionsTotal} made`;
        log(`${fleet.accounts} accounts: RSS MiB ${fleet.samples.map((s) => s.rssMiB.toFixed(1)).join(' ')}; connections ${connections}; ${await memoryKinds(fleet.helper.pid)}`);
        rows.push({
          measure: `${fleet.accounts} account(s) idle over TLS, ${windowMs / 60_000} min: RSS median (max), CPU, connections at its proxy`,
          figure: `${rss.p50.toFixed(1)} (${rss.max.toFixed(1)}) MiB${perAccount === undefined ? ' (the floor)' : `, ${perAccount.toFixed(2)} MiB per account after the first`}; CPU ${cpu.toFixed(3)} % of a core; ${connections}`,
          target: perAccount === undefined ? 'CPU ≤ 0.1 %, one connection per account' : '≤ 2 MiB per account after the first, CPU ≤ 0.1 %, one connection per account',
          met: (perAccount === undefined || perAccount <= 2) && cpu <= 0.1 && fleet.proxy.connectionsOpen === fleet.accounts && fleet.proxy.connectionsTotal === fleet.accounts,
        });
      }
      pinging.forEach(clearInterval);
      for (const fleet of fleets.slice(0, -1)) await stopFleet(fleet);
      const biggest = fleets[fleets.length - 1];
      fleets.splice(0, fleets.length, biggest);
      rows.push(...(await burst(world, biggest, log)));
      return rows;
    } finally {
      pinging.forEach(clearInterval);
      for (const fleet of fleets) await stopFleet(fleet);
      await world.close();
    }
  },
};
