/**
 * A big INBOX: 100,000 messages of which 10,000 unread, written as maildir files (flags in the
 * file names) into a scratch maildir and brought in with `doveadm import`, so Dovecot builds its
 * index as for mail it delivered (a maildir filled behind its back costs 30 ms per 1,000
 * messages at every SELECT, which is Dovecot's cost and not the helper's). Then the real helper
 * starts behind a stalled proxy; a browser client authenticates; the proxy resumes (the clock
 * starts) and the clock stops when the complete snapshot (unread count and previews) reaches the
 * client: login, SELECT, SEARCH UNSEEN, 50 previews, marks. The helper's peak RSS (VmHWM) is
 * compared with the same run on a mailbox 100× smaller: what grows should be the UID set alone.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildMessage } from '../test/harness/messages';
import { connectOtherDevice } from '../test/harness/other-device';
import { sleep, type Bench, type Row } from './bench';
import { sampleProcess } from './proc';
import { summarize } from './stats';
import { PASS, USER, epochNow, startBenchHelper, startMailWorld, type MailWorld } from './world';

const UNREAD_EVERY = 10;
const WRITE_BATCH = 500;
const BASE_TIME_S = 1_700_000_000;

/** Fills INBOX with `count` messages, every UNREAD_EVERY-th one unread; returns the unread count. */
async function fillInbox(world: MailWorld, count: number): Promise<number> {
  const source = await mkdtemp(join(tmpdir(), 'mn-bench-maildir-'));
  try {
    await Promise.all(['cur', 'new', 'tmp'].map((dir) => mkdir(join(source, dir))));
    for (let start = 0; start < count; start += WRITE_BATCH) {
      await Promise.all(Array.from({ length: Math.min(WRITE_BATCH, count - start) }, (_, k) => {
        const i = start + k;
        const raw = buildMessage({ subject: `Archive message ${i}`, text: `Message number ${i} of the big mailbox.\n`, date: new Date((BASE_TIME_S + i * 60) * 1000) });
        const flags = i % UNREAD_EVERY === 0 ? '' : 'S';
        return writeFile(join(source, 'cur', `${BASE_TIME_S + i}.M${i}P1.bench,S=${raw.length}:2,${flags}`), raw);
      }));
    }
    // doveadm import reads the source as the mail user (nobody).
    await chmod(source, 0o755);
    await promisify(execFile)('chown', ['-R', 'nobody:nogroup', source]);
    await world.dovecot.doveadm('import', '-u', USER, '-s', `maildir:${source}`, '', 'mailbox', 'INBOX');
  } finally {
    await rm(source, { recursive: true, force: true });
  }
  return Math.ceil(count / UNREAD_EVERY);
}

interface SyncRun {
  ms: number;
  /** RSS after the snapshot (and 2 s) minus RSS just before the proxy resumed: what the sync kept. */
  syncMiB: number;
  /** VmHWM: the process's peak since it started (startup included). */
  peakMiB: number;
}

async function timeFirstSnapshot(world: MailWorld, unread: number, run: number): Promise<SyncRun> {
  world.proxy.stall();
  const helper = await startBenchHelper(world, { via: 'proxy', name: `big-${run}` });
  try {
    const client = await helper.client();
    const before = await sampleProcess(helper.pid);
    const started = epochNow();
    world.proxy.resume();
    await client.waitFor((m) => m.type === 'snapshot' && m.account.unreadCount === unread && m.previews.length > 0, 60_000, 'the complete snapshot');
    const ms = epochNow() - started;
    await sleep(2_000);
    const after = await sampleProcess(helper.pid);
    return { ms, syncMiB: after.rssMiB - before.rssMiB, peakMiB: after.peakRssMiB };
  } finally {
    await helper.stop();
  }
}

export const bigMailboxBench: Bench = {
  name: 'big',
  title: 'Big mailbox: time to the first complete snapshot, and memory',
  async run({ quick, log }) {
    const sizes = quick ? [1_000, 10_000] : [1_000, 100_000];
    const runs = quick ? 3 : 6;
    const rows: Row[] = [];
    const kept: number[] = [];
    for (const size of sizes) {
      const world = await startMailWorld();
      try {
        const filling = performance.now();
        const unread = await fillInbox(world, size);
        // Counted over a connection of its own: filling 100,000 takes longer than imapflow keeps the world's idle one.
        const counter = await connectOtherDevice({ host: world.dovecot.host, port: world.dovecot.port, user: USER, pass: PASS });
        const uids = await counter.listUids('INBOX').finally(() => counter.close());
        if (uids.length !== size) throw new Error(`Dovecot lists ${uids.length} messages, not ${size}`);
        log(`${size} messages (${unread} unread) filled in ${((performance.now() - filling) / 1000).toFixed(1)} s`);
        const results: SyncRun[] = [];
        for (let run = 0; run < runs; run++) results.push(await timeFirstSnapshot(world, unread, run));
        log(`${size}: ${results.map((r) => `${r.ms.toFixed(0)} ms, +${r.syncMiB.toFixed(1)} MiB, peak ${r.peakMiB.toFixed(1)} MiB`).join('; ')} (first run = warm-up)`);
        const measured = results.slice(1);
        const time = summarize(measured.map((r) => r.ms));
        const sync = summarize(measured.map((r) => r.syncMiB));
        kept.push(sync.p50);
        rows.push({
          measure: `${size.toLocaleString('en')} messages, ${unread.toLocaleString('en')} unread: resume → complete snapshot at a client (${measured.length} runs)`,
          figure: `p50 ${time.p50.toFixed(0)} ms, max ${time.max.toFixed(0)} ms; RSS added by the sync p50 ${sync.p50.toFixed(1)} MiB; process peak p50 ${summarize(measured.map((r) => r.peakMiB)).p50.toFixed(1)} MiB`,
          ...(size === sizes[sizes.length - 1] ? { target: '≤ 2 s', met: time.max <= 2_000 } : {}),
        });
      } finally {
        await world.close();
      }
    }
    rows.push({
      measure: `RSS added by the sync: ${sizes[1].toLocaleString('en')} messages minus ${sizes[0].toLocaleString('en')}`,
      figure: `${(kept[1] - kept[0]).toFixed(1)} MiB`,
      target: 'no growth beyond the UID set',
    });
    return rows;
  },
};
