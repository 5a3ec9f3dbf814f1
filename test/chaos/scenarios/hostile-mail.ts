/**
 * Scenario 8: hostile mail. Each message of a corpus of malformed MIME (broken boundaries, bad
 * charsets, huge headers, 200 nested multiparts, 10,000 recipients, NUL bytes, invalid base64, a
 * 1 MB subject, …) is APPENDed, then a normal message: the session must stay up and idle, announce
 * both promptly, and give previews and bodies that are plain text (nothing of an HTML part's
 * markup) with subjects within the protocol's caps.
 */
import { withTimeout } from '../../harness/wait';
import { DrivenSession } from '../driven-session';
import { hostileCorpus } from '../hostile-mail';
import { check, mailChecks, median, tally, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface HostileMailParams {
  seed: number;
  /** Times the corpus is sent. */
  passes: number;
}

export const HOSTILE_MAIL = {
  short: { seed: 8, passes: 1 },
  full: { seed: 8, passes: 3 },
} satisfies Record<string, HostileMailParams>;

/** Real time allowed for both messages to be announced (Dovecot holds IDLE news 0.5 s). */
const PROMPT_MS = 5_000;
const BODY_MS = 5_000;
const TAG = /<\/?[a-z!][^>]*>/i;
/** What a one-line subject or sender name must not hold: line breaks, other C0/C1 controls, bidi controls. */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const MAX_SUBJECT = 4096;
const MAX_SNIPPET = 200;

export async function hostileMail(p: HostileMailParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason instanceof Error ? reason.message : String(reason));
  process.on('unhandledRejection', onUnhandled);
  const world = await startWorld();
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  const corpus = hostileCorpus();
  const appended: number[] = [];
  const latencies: number[] = [];
  const slow: string[] = [];
  const markupLeaks: string[] = [];
  const overCaps: string[] = [];
  const unclean: string[] = [];
  const bodyFailures: string[] = [];
  const refused: string[] = [];
  let bytes = 0;

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    const idleFrom = s.timeline.length;
    for (let pass = 0; pass < p.passes; pass++) {
      for (const item of corpus) {
        const sent = Date.now();
        let hostile: number;
        try {
          hostile = await world.other.append('INBOX', item.raw);
        } catch (err) {
          refused.push(`${item.name} (${(err as Error).message})`);
          continue;
        }
        bytes += item.raw.length;
        const canary = await world.deliver(appended.length + 1);
        appended.push(hostile, canary);
        try {
          await s.recorder.until(() => [hostile, canary].every((uid) => s.notified().includes(uid)), `${item.name} and the next message`, PROMPT_MS);
          latencies.push(Date.now() - sent);
        } catch {
          slow.push(item.name);
          continue;
        }
        const preview = s.session.previews().find((pv) => pv.key.uid === hostile);
        if (!preview) {
          overCaps.push(`${item.name}: no preview`);
          continue;
        }
        if (preview.subject.length > MAX_SUBJECT || preview.snippet.length > MAX_SNIPPET) {
          overCaps.push(`${item.name}: subject ${preview.subject.length}, snippet ${preview.snippet.length} chars`);
        }
        if (NOT_ONE_LINE.test(preview.subject) || NOT_ONE_LINE.test(preview.from.name ?? '')) {
          unclean.push(`${item.name}: ${JSON.stringify(preview.subject.slice(0, 60))} from ${JSON.stringify(preview.from.name ?? '')}`);
        }
        try {
          const body = await withTimeout(s.session.getBody(preview.key, false), BODY_MS, `the body of ${item.name}`);
          if (item.markup && (TAG.test(preview.snippet) || TAG.test(body.text))) {
            markupLeaks.push(`${item.name}: “${(TAG.exec(preview.snippet) ?? TAG.exec(body.text))?.[0]}”`);
          }
        } catch (err) {
          bodyFailures.push(`${item.name}: ${(err as Error).message}`);
        }
      }
    }
    const t = tally(appended, s.notified());
    const leftIdle = s.timeline.slice(idleFrom).filter((e) => e.state !== 'idle');
    return {
      title: 'Hostile mail: a corpus of malformed MIME',
      injected: `${corpus.length} malformed or hostile messages (${corpus.map((m) => m.name).join('; ')}), ${p.passes}× each, `
        + `${(bytes / 1_048_576).toFixed(1)} MB in all, each followed by a normal message; the body of each fetched too.`,
      figures: [
        ['messages appended (hostile + normal)', t.appended],
        ['messages reported (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['refused by the server at APPEND', refused.length],
        ['both announced (real, median / max)', `${median(latencies)} ms / ${Math.max(0, ...latencies)} ms`],
        ['operations that failed in the session', s.logged.get('operation-failed') ?? 0],
        ['logins made (connections at the proxy)', world.proxy.connectionsTotal],
      ],
      checks: [
        ...mailChecks(t),
        check(`each hostile message and the next one announced within ${PROMPT_MS / 1000} s`, slow.length === 0, slow.join('; ') || 'all prompt'),
        check('the session stayed connected and idle', leftIdle.length === 0 && world.proxy.connectionsTotal === 1,
          `${leftIdle.map((e) => `${e.state}: ${e.reason}`).join('; ') || 'idle throughout'}, ${world.proxy.connectionsTotal} connection(s)`),
        check('no unhandled rejection', unhandled.length === 0, unhandled.join('; ') || 'none'),
        check('no HTML markup in previews or bodies', markupLeaks.length === 0, markupLeaks.join('; ') || 'none'),
        check('subjects and sender names are one clean line (no line breaks, controls or bidi overrides)', unclean.length === 0, unclean.join('; ') || 'all clean'),
        check('subjects and snippets within the protocol caps', overCaps.length === 0, overCaps.join('; ') || `≤ ${MAX_SUBJECT} / ≤ ${MAX_SNIPPET} chars`),
        check('every body fetched', bodyFailures.length === 0, bodyFailures.join('; ') || 'all fetched'),
        check('the server stored every message', refused.length === 0, refused.join('; ') || 'all stored'),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    await s.stop();
    await world.stop();
    process.off('unhandledRejection', onUnhandled);
  }
}
