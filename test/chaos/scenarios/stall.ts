/**
 * Scenario 2: the link goes silent (proxy.stall: no FIN, nothing passes) while the session idles,
 * and in the middle of a FETCH (right when it asks for the preview of a message just pushed).
 * The session must notice within the bound its tuning states, replace the link, and lose nothing.
 */
import { EventEmitter } from 'node:events';
import type { ImapFlow } from 'imapflow';
import { nextEvent } from '../../harness/wait';
import { DrivenSession } from '../driven-session';
import { prng } from '../prng';
import { check, mailChecks, median, seconds, tally, type Check, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface StallParams {
  seed: number;
  /** Stalls of each kind. */
  rounds: number;
}

export const STALL = {
  short: { seed: 2, rounds: 2 },
  full: { seed: 2, rounds: 10 },
} satisfies Record<string, StallParams>;

type Kind = 'idle' | 'fetch';

/** Real time allowed for Dovecot's push (held 0.5 s) to reach the session and start its FETCH. */
const PUSH_REAL_MS = 5_000;

export async function stall(p: StallParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const random = prng(p.seed);
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  const { heartbeatMs, tickMs, commandTimeoutMs } = s.tuning;
  const bounds: Record<Kind, number> = { idle: heartbeatMs + tickMs + commandTimeoutMs, fetch: commandTimeoutMs };
  const detections: Record<Kind, number[]> = { idle: [], fetch: [] };
  const recoveries: number[] = [];
  const appended: number[] = [];
  let stallAtPreviewFetch = false;
  let stalledAt = -1;
  const stalls = new EventEmitter();

  const freeze = () => {
    world.proxy.stall();
    s.linkStalled = true;
    stalledAt = s.clock.elapsed;
    stalls.emit('stalled');
  };
  s.clients.on('client', (client: ImapFlow) => {
    const fetchAll = client.fetchAll.bind(client);
    client.fetchAll = ((range: Parameters<ImapFlow['fetchAll']>[0], query: Parameters<ImapFlow['fetchAll']>[1], options?: Parameters<ImapFlow['fetchAll']>[2]) => {
      // The preview fetch (bounded header fields and body slice) of a message the session has just been told of.
      if (stallAtPreviewFetch && query.headers) {
        stallAtPreviewFetch = false;
        freeze();
      }
      return fetchAll(range, query, options);
    }) as ImapFlow['fetchAll'];
  });

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    for (let round = 0; round < p.rounds; round++) {
      for (const kind of ['idle', 'fetch'] as const) {
        // Somewhere in the heartbeat cycle, so the stall does not always start right after a probe.
        await s.runFor(Math.round(random() * heartbeatMs));
        if (kind === 'idle') freeze();
        else stallAtPreviewFetch = true;
        const fetchStarted = kind === 'fetch' ? nextEvent(stalls, 'stalled', PUSH_REAL_MS) : undefined;
        const uid = await world.deliver(appended.length + 1);
        appended.push(uid);
        await fetchStarted;
        await s.runUntilTrue(() => s.state !== 'idle', 2 * bounds[kind]);
        detections[kind].push((s.firstAt('connecting', stalledAt) ?? Infinity) - stalledAt);
        world.proxy.resume();
        s.linkStalled = false;
        await s.runUntilTrue(() => s.state === 'idle' && s.notified().includes(uid), 60 * 60_000);
        recoveries.push(s.clock.elapsed - stalledAt);
      }
    }
    const t = tally(appended, s.notified());
    const log = await s.loginLog();
    const stallCount = 2 * p.rounds;
    const within = (kind: Kind): Check =>
      check(
        `${kind === 'idle' ? 'stall in IDLE' : 'stall mid-FETCH'} detected within ${seconds(bounds[kind])}`,
        detections[kind].every((d) => d <= bounds[kind]),
        `detection times: ${detections[kind].map(seconds).join(', ')}`,
      );
    return {
      title: 'Silent stall in IDLE and in the middle of a FETCH',
      injected: `${stallCount} silent stalls (proxy holds every byte, sends no FIN), seed ${p.seed}: ${p.rounds} while idling (a message `
        + `arrives behind the stall), ${p.rounds} at the moment the session FETCHes the preview of a message just pushed.`,
      figures: [
        ['messages appended', t.appended],
        ['messages reported (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['logins made (connections at the proxy)', s.connections.times.length],
        ['failed logins (login log)', log.filter((e) => e.outcome !== 'success').length],
        ['stated bound, stall in IDLE (heartbeat + tick + probe deadline)', seconds(bounds.idle)],
        ['detection in IDLE (virtual, max)', seconds(Math.max(...detections.idle))],
        ['stated bound, stall mid-FETCH (command deadline)', seconds(bounds.fetch)],
        ['detection mid-FETCH (virtual, max)', seconds(Math.max(...detections.fetch))],
        ['time to recover: stall → new link idle, message reported (virtual, median / max)', `${seconds(median(recoveries))} / ${seconds(Math.max(...recoveries))}`],
      ],
      checks: [
        ...mailChecks(t),
        within('idle'),
        within('fetch'),
        check('each stall replaced by exactly one new login', s.connections.times.length === 1 + stallCount && log.length === 1 + stallCount,
          `${s.connections.times.length} connections, ${log.length} logins logged for ${stallCount} stalls`),
        check('never two connections at once', s.connections.maxOpen <= 1, `max open ${s.connections.maxOpen}`),
      ],
      realMs: Date.now() - realStart,
      notes: 'recovery is detection plus the policy\'s backoff; stalls that follow one another within minutes count as '
        + 'links that died soon after their login, so the backoff grows (up to 15 min) and so does the recovery time.',
    };
  } finally {
    world.proxy.resume();
    await s.stop();
    await world.stop();
  }
}
