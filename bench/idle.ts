/**
 * What the helper costs while nothing happens: the real helper, started as `npm start` and the
 * login service start it, with one account in IDLE over TLS (as to iCloud) holding 20 unread
 * messages, some of them HTML-only newsletters (so the HTML-to-text code is loaded, as it is for
 * most mailboxes), and one browser connected that pings every 20 s as the extension does. After a
 * minute of warm-up, /proc/PID is sampled every 10 s for 10 minutes. Side by side, the same
 * helper as the single executable (scripts/build-sea.mjs), on the same account: both binaries'
 * unmapped pages are first dropped from the page cache (bench/proc.ts says why).
 */
import { buildMessage } from '../test/harness/messages';
import { sleep, type Bench } from './bench';
import { cpuPercent, dropFromPageCache, sampleProcess, type ProcSample } from './proc';
import { summarize } from './stats';
import { startTlsFront } from './tls-front';
import { accountIdle, benchExecutable, startBenchHelper, startMailWorld, type BenchHelper } from './world';

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
    const executable = await benchExecutable();
    for (const file of [process.execPath, executable]) dropFromPageCache(file);
    const helpers: { name: string; helper: BenchHelper; samples: ProcSample[] }[] = [];
    const pinging: NodeJS.Timeout[] = [];
    try {
      for (const [name, exe] of [['node', undefined], ['single executable', executable]] as const) {
        const helper = await startBenchHelper(world, { via: tls, name: `idle-${name.replace(' ', '-')}`, executable: exe });
        helpers.push({ name, helper, samples: [] });
        const client = await helper.client();
        await accountIdle(client);
        pinging.push(setInterval(() => void client.request({ type: 'ping' }).catch(() => undefined), PING_EVERY_MS));
      }
      await sleep(warmupMs);
      const first = performance.now();
      for (let t = 0; t <= windowMs; t += SAMPLE_EVERY_MS) {
        await sleep(first + t - performance.now());
        for (const h of helpers) h.samples.push(await sampleProcess(h.helper.pid));
      }
      return helpers.flatMap(({ name, samples }) => {
        const [start, last] = [samples[0], samples[samples.length - 1]];
        const rss = summarize(samples.map((s) => s.rssMiB));
        const cpu = cpuPercent(start, last);
        log(`${name}: RSS MiB every 10 s: ${samples.map((s) => s.rssMiB.toFixed(1)).join(' ')}; CPU ${(last.cpuSeconds - start.cpuSeconds).toFixed(2)} s in ${((last.at - start.at) / 1000).toFixed(0)} s`);
        return [
          {
            measure: `RSS over ${windowMs / 60_000} min idle over TLS (after ${warmupMs / 1000} s warm-up), ${name}`,
            figure: `median ${rss.p50.toFixed(1)} MiB, max ${rss.max.toFixed(1)} MiB (peak since start ${last.peakRssMiB.toFixed(1)} MiB)`,
            target: '≤ 60 MB (57.2 MiB)',
            met: rss.max <= 60e6 / 2 ** 20,
          },
          {
            measure: `CPU over ${windowMs / 60_000} min idle, ${name}`,
            figure: `${cpu.toFixed(3)} % of one core (${(last.cpuSeconds - start.cpuSeconds).toFixed(2)} s)`,
            target: '≤ 0.1 %',
            met: cpu <= 0.1,
          },
        ];
      });
    } finally {
      pinging.forEach(clearInterval);
      for (const { helper } of helpers) await helper.stop();
      await tls.close();
      await world.close();
    }
  },
};
