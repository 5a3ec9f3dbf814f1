/**
 * Cold start: from `helper start` (the process spawned) to the first complete snapshot at an
 * already-paired client (its token issued before), one login to the server included: the process
 * starts, loads the helper, listens, logs in, selects INBOX, searches the unread, fetches the
 * previews. The client connects as soon as the helper says it listens, as the extension's retry
 * would (how long the extension waits between retries is the extension's, and left out). Each run
 * is a new helper with a fresh home (a fresh login budget), taking turns between the helper run by
 * node (as `npm start` and the npm package run it) and the single executable (as after its first
 * start: already unpacked). The floor, in the same run: the same client against a node process that
 * only listens (what any Node program pays to start before it can answer).
 */
import { spawn } from 'node:child_process';
import { buildMessage } from '../test/harness/messages';
import { withTimeout } from '../test/harness/wait';
import type { SnapshotMessage } from '../protocol';
import type { Bench, Row } from './bench';
import { formatSummary, summarize } from './stats';
import { benchExecutable, epochNow, startBenchHelper, startMailWorld } from './world';

const UNREAD = 20;
const PREVIEWS = 20;

/** Spawn → a node process that only listens on loopback has said so: the floor. */
async function bareNodeStart(): Promise<number> {
  const started = epochNow();
  const child = spawn(process.execPath, ['-e', "require('node:net').createServer().listen(0, '127.0.0.1', () => console.log('listening'))"]);
  try {
    await withTimeout(new Promise<void>((resolve) => child.stdout.on('data', () => resolve())), 20_000, 'a bare node to listen');
    return epochNow() - started;
  } finally {
    child.kill();
  }
}

export const coldStartBench: Bench = {
  name: 'cold',
  title: 'Cold start: helper start → first complete snapshot at a paired client',
  async run({ quick, log }) {
    const runs = quick ? 4 : 20;
    const world = await startMailWorld();
    for (let i = 0; i < UNREAD; i++) await world.append(buildMessage({ subject: `Waiting ${i}`, text: `unread ${i}` }));
    const executable = await benchExecutable();
    const launchers = [
      { name: 'node', executable: undefined },
      { name: 'single executable', executable },
    ];
    const times = new Map(launchers.map((l) => [l.name, [] as number[]]));
    const floor: number[] = [];
    try {
      // One warm-up of each, then the runs, taking turns so the machine's load weighs on both alike.
      for (let run = -1; run < runs; run++) {
        for (const launcher of launchers) {
          const helper = await startBenchHelper(world, { via: 'direct', name: `cold-${launcher.name.replace(' ', '-')}`, executable: launcher.executable });
          try {
            const client = await helper.client();
            await client.waitFor<SnapshotMessage>(
              (m) => m.type === 'snapshot' && m.account.unreadCount === UNREAD && m.previews.length === PREVIEWS,
              30_000,
              'the complete snapshot',
            );
            if (run >= 0) times.get(launcher.name)!.push(epochNow() - helper.spawnedAt);
          } finally {
            await helper.stop();
          }
        }
        const bare = await bareNodeStart();
        if (run >= 0) floor.push(bare);
      }
      const rows: Row[] = [];
      const floorSummary = summarize(floor);
      rows.push({ measure: `floor: spawn → a bare node process listening on loopback (${runs} runs)`, figure: formatSummary(floorSummary, 'ms', 0) });
      for (const launcher of launchers) {
        const s = summarize(times.get(launcher.name)!);
        log(`${launcher.name}: ${times.get(launcher.name)!.map((t) => t.toFixed(0)).join(' ')} ms`);
        rows.push({
          measure: `helper start (${launcher.name}) → complete snapshot (${UNREAD} unread, ${PREVIEWS} previews) at a paired client, one login (${runs} runs)`,
          figure: `${formatSummary(s, 'ms', 0)}; minus the floor's p50: ${(s.p50 - floorSummary.p50).toFixed(0)} ms`,
          target: 'p50 ≤ 1.5 s',
          met: s.p50 <= 1_500,
        });
      }
      log(`floor: ${floor.map((t) => t.toFixed(0)).join(' ')} ms`);
      return rows;
    } finally {
      await world.close();
    }
  },
};
