/**
 * What the helper costs while nothing happens: the real helper, started as `npm start` and the
 * login service start it, with one account in IDLE over TLS (as to iCloud) holding 20 unread
 * messages, some of them HTML-only newsletters (so the HTML-to-text code is loaded, as it is for
 * most mailboxes), and one browser connected that pings every 20 s as the extension does. After a
 * minute of warm-up, /proc/PID is sampled every 10 s for 10 minutes.
 */
import { buildMessage } from '../test/harness/messages';
import { sleep, type Bench } from './bench';
import { cpuPercent, sampleProcess } from './proc';
import { summarize } from './stats';
import { startTlsFront } from './tls-front';
import { accountIdle, startBenchHelper, startMailWorld } from './world';

const UNREAD = 20;
const HTML_ONLY_EVERY = 4;
const PING_EVERY_MS = 20_000;
const SAMPLE_EVERY_MS = 10_000;

export const idleBench: Bench = {
  name: 'idle',
  title: 'Idle cost of the helper process',
  together: true,
  async run({ quick, log }) {
    const [warmupMs, windowMs] = quick ? [10_000, 60_000] : [60_000, 600_000];
    const world = await startMailWorld();
    for (let i = 0; i < UNREAD; i++) {
      const body = i % HTML_ONLY_EVERY === 0 ? { html: `<html><body><h1>News ${i}</h1><p>Read <a href="https://example.com/${i}">more</a> &amp; more.</p></body></html>` } : { text: `unread ${i}` };
      await world.append(buildMessage({ subject: `Waiting ${i}`, ...body }));
    }
    const tls = await startTlsFront(world.dovecot);
    const helper = await startBenchHelper(world, { via: tls, name: 'idle' });
    let pinging: NodeJS.Timeout | undefined;
    try {
      const client = await helper.client();
      await accountIdle(client);
      pinging = setInterval(() => void client.request({ type: 'ping' }).catch(() => undefined), PING_EVERY_MS);
      await sleep(warmupMs);
      const samples = [await sampleProcess(helper.pid)];
      for (let t = SAMPLE_EVERY_MS; t <= windowMs; t += SAMPLE_EVERY_MS) {
        await sleep(samples[0].at + t - performance.now());
        samples.push(await sampleProcess(helper.pid));
      }
      const first = samples[0];
      const last = samples[samples.length - 1];
      const rss = summarize(samples.map((s) => s.rssMiB));
      const cpu = cpuPercent(first, last);
      log(`RSS MiB every 10 s: ${samples.map((s) => s.rssMiB.toFixed(1)).join(' ')}; CPU ${(last.cpuSeconds - first.cpuSeconds).toFixed(2)} s in ${((last.at - first.at) / 1000).toFixed(0)} s`);
      return [
        {
          measure: `RSS over ${windowMs / 60_000} min idle over TLS (after ${warmupMs / 1000} s warm-up)`,
          figure: `median ${rss.p50.toFixed(1)} MiB, max ${rss.max.toFixed(1)} MiB (peak since start ${last.peakRssMiB.toFixed(1)} MiB)`,
          target: '≤ 60 MB (57.2 MiB)',
          met: rss.max <= 60e6 / 2 ** 20,
        },
        {
          measure: `CPU over ${windowMs / 60_000} min idle`,
          figure: `${cpu.toFixed(3)} % of one core (${(last.cpuSeconds - first.cpuSeconds).toFixed(2)} s)`,
          target: '≤ 0.1 %',
          met: cpu <= 0.1,
        },
      ];
    } finally {
      clearInterval(pinging);
      await helper.stop();
      await tls.close();
      await world.close();
    }
  },
};
