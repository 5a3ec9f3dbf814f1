/**
 * Push latency, paired per message. Another device APPENDs one message straight to Dovecot; from
 * the APPEND's tagged OK the bench times (a) a bare imapflow client in IDLE on Dovecot seeing
 * EXISTS: the floor, as Dovecot holds IDLE notifications back 0.5 s; (b) the badge text changing
 * in the extension's service worker (real helper process, real Chromium, the built extension);
 * and the helper's delta arriving at WebSocket clients in the bench process. The message is then
 * marked read from the other device and the bench waits for the badge to clear: every cycle is one
 * badge change up and one down. The first WARMUP cycles are left out of the figures.
 *
 * `fanout` is the same with 19 WebSocket clients beside the browser (20 clients), plus the
 * helper's CPU time per cycle from /proc.
 */
import { ImapFlow } from 'imapflow';
import type { TestClient } from '../test/server/helpers';
import { buildMessage } from '../test/harness/messages';
import { pollUntil } from '../test/harness/wait';
import { sleep, type Bench, type Row } from './bench';
import { launchPairedBrowser } from './browser';
import { sampleProcess } from './proc';
import { formatSummary, summarize, type Summary } from './stats';
import { PASS, USER, accountIdle, epochNow, startBenchHelper, startMailWorld } from './world';

const WARMUP = 5;
const TARGET = 'p50 ≤ 20 ms, p99 ≤ 100 ms';
/**
 * Quiet time before each APPEND. Dovecot starts a 0.5 s notify timer in an IDLE session at the
 * first change it sees and reports everything when it fires; a change shortly before the APPEND
 * (the helper's own reads after the previous cycle move files in the maildir) would make the bare
 * client's floor look up to 0.3 s shorter than it is. Longer than 0.5 s, no timer is pending.
 */
const PAUSE_MS = 700;

/** Epoch time at which each client received the delta announcing a UID. */
function deltaArrivals(client: TestClient): Map<number, number> {
  const arrivals = new Map<number, number>();
  client.ws.on('message', (data) => {
    const at = epochNow();
    const message = JSON.parse(data.toString()) as { type: string; notify?: { uid: number }[] };
    if (message.type === 'delta') for (const { uid } of message.notify ?? []) arrivals.set(uid, at);
  });
  return arrivals;
}

async function runCycles(name: string, { messages, wsClients }: { messages: number; wsClients: number }, log: (line: string) => void) {
  const world = await startMailWorld();
  const helper = await startBenchHelper(world, { via: 'direct', name });
  const browser = await launchPairedBrowser(helper);
  const bare = new ImapFlow({ host: world.dovecot.host, port: world.dovecot.port, secure: false, auth: { user: USER, pass: PASS }, logger: false, autoIdleDelay: 50 });
  try {
    await browser.badgeBecomes('');
    const clients = await Promise.all(Array.from({ length: wsClients }, () => helper.client()));
    await Promise.all(clients.map((client) => accountIdle(client)));
    const arrivals = clients.map(deltaArrivals);
    let lastExists = 0;
    bare.on('exists', () => (lastExists = epochNow()));
    await bare.connect();
    await bare.mailboxOpen('INBOX');
    const offsetBefore = await browser.clockOffset();
    const samples = { floor: [] as number[], badge: [] as number[], overhead: [] as number[], ws: [] as number[] };
    const cpu = [await sampleProcess(helper.pid)];
    for (let i = 0; i < WARMUP + messages; i++) {
      if (i >= WARMUP && (i - WARMUP) % 10 === 0) cpu.push(await sampleProcess(helper.pid));
      await sleep(PAUSE_MS);
      lastExists = 0;
      const { uid, doneAt } = await world.append(buildMessage({ subject: `Latency ${i}`, text: `message ${i}` }));
      const badgeAt = await browser.badgeBecomes('1');
      await pollUntil(() => lastExists !== 0 && arrivals.every((a) => a.has(uid)), { what: `UID ${uid} at every client`, timeoutMs: 10_000, intervalMs: 5 });
      await world.other.addFlags('INBOX', uid, ['\\Seen']);
      await browser.badgeBecomes('');
      if (i < WARMUP) continue;
      samples.floor.push(lastExists - doneAt);
      samples.badge.push(badgeAt - doneAt);
      samples.overhead.push(badgeAt - lastExists);
      for (const a of arrivals) samples.ws.push(a.get(uid)! - lastExists);
    }
    cpu.push(await sampleProcess(helper.pid));
    const offsetAfter = await browser.clockOffset();
    const clock = `clock offset worker−bench ${offsetBefore.offsetMs.toFixed(2)} ± ${offsetBefore.errorMs.toFixed(2)} ms before, ${offsetAfter.offsetMs.toFixed(2)} ± ${offsetAfter.errorMs.toFixed(2)} ms after`;
    log(clock);
    log(`overhead (badge − floor) per message, ms: ${samples.overhead.map((x) => x.toFixed(1)).join(' ')}`);
    const cpuMs = (from: number, to: number) => (cpu[to].cpuSeconds - cpu[from].cpuSeconds) * 1000;
    log(`helper CPU ms per cycle, by tens of cycles: ${cpu.slice(2).map((_, k) => (cpuMs(k + 1, k + 2) / 10).toFixed(1)).join(' ')}`);
    const cpuMsPerCycle = cpuMs(1, cpu.length - 1) / messages;
    return { samples, cpuMsPerCycle, clock };
  } finally {
    await bare.logout().catch(() => bare.close());
    await browser.close();
    await helper.stop();
    await world.close();
  }
}

function meetsTarget(overhead: Summary): Pick<Row, 'target' | 'met'> {
  return { target: TARGET, met: overhead.p50 <= 20 && overhead.p99 <= 100 };
}

export const latencyBench: Bench = {
  name: 'latency',
  title: 'Push latency: APPEND → bare IDLE client, → badge in the extension',
  async run({ quick, log }) {
    const messages = quick ? 15 : 100;
    const { samples, cpuMsPerCycle } = await runCycles('latency', { messages, wsClients: 1 }, log);
    const overhead = summarize(samples.overhead);
    return [
      { measure: '(a) APPEND → EXISTS at a bare imapflow client in IDLE (floor)', figure: formatSummary(summarize(samples.floor), 'ms') },
      { measure: '(b) APPEND → badge text changed in the service worker', figure: formatSummary(summarize(samples.badge), 'ms') },
      {
        measure: 'overhead (b) − (a), per message',
        figure: formatSummary(overhead, 'ms'),
        ...meetsTarget(overhead),
      },
      { measure: "(b') helper delta at a WebSocket client in the bench, − (a)", figure: formatSummary(summarize(samples.ws), 'ms') },
      { measure: 'helper CPU per cycle (new message + marked read), 2 clients', figure: `${cpuMsPerCycle.toFixed(1)} ms` },
    ];
  },
};

export const fanoutBench: Bench = {
  name: 'fanout',
  title: 'Fan-out: the extension and 19 WebSocket clients',
  async run({ quick, log }) {
    const messages = quick ? 10 : 100;
    const { samples, cpuMsPerCycle } = await runCycles('fanout', { messages, wsClients: 19 }, log);
    const overhead = summarize(samples.overhead);
    return [
      { measure: '(a) APPEND → EXISTS at a bare IDLE client (floor)', figure: formatSummary(summarize(samples.floor), 'ms') },
      { measure: 'badge in the service worker − (a), 20 clients connected', figure: formatSummary(overhead, 'ms'), ...meetsTarget(overhead) },
      { measure: 'delta at each of 19 WebSocket clients − (a)', figure: formatSummary(summarize(samples.ws), 'ms') },
      { measure: 'helper CPU per cycle (new message + marked read), 20 clients', figure: `${cpuMsPerCycle.toFixed(1)} ms` },
    ];
  },
};
