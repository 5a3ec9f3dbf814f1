/**
 * Scenario 8: hostile mail. Each message of a corpus of malformed MIME (broken boundaries, bad
 * charsets, huge headers, 200 nested multiparts, 5,000 recipients, NUL bytes, invalid base64, a
 * 1 MB subject, a 25 MB message, …) is APPENDed, then a normal message: the session must stay up
 * and idle, announce both promptly, read at most 16 KiB from the server for the new message and
 * 64 KiB to open it (counted at the proxy), and give previews and bodies that are plain text
 * (nothing of an HTML part's markup), within the protocol's caps, showing what each message holds.
 */
import type { Body, Preview } from '../../../protocol';
import { withTimeout } from '../../harness/wait';
import { DrivenSession } from '../driven-session';
import { hostileCorpus, type HostileMessage } from '../hostile-mail';
import { check, mailChecks, median, tally, type ScenarioResult } from '../report';
import { startWorld } from '../world';
import type { DovecotProfile } from '../../harness/dovecot-config';

export interface HostileMailParams {
  seed: number;
  /** Times the corpus is sent. */
  passes: number;
  /** stock Dovecot, or one shaped like iCloud (no BINARY, parts arrive still encoded). */
  profile?: DovecotProfile;
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
/** Bytes read from the server per new message, and to open one (issue 13). */
export const NEW_MESSAGE_BYTES = 16 * 1024;
export const OPEN_BYTES = 64 * 1024;

/** What the reader shows that the corpus entry says it must; empty when all is there. */
function unmet(item: HostileMessage, preview: Preview, body: Body): string[] {
  const want = item.expect ?? {};
  const wrong: string[] = [];
  const differs = (what: string, got: unknown, expected: unknown) => {
    if (expected !== undefined && got !== expected) wrong.push(`${what} ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`);
  };
  if (want.body !== undefined && !(want.body === '' ? body.text === '' : body.text.includes(want.body))) {
    wrong.push(`body ${JSON.stringify(body.text.slice(0, 60))} lacks ${JSON.stringify(want.body.slice(0, 30))}`);
  }
  if (want.snippet !== undefined && !preview.snippet.includes(want.snippet)) wrong.push(`snippet ${JSON.stringify(preview.snippet.slice(0, 60))}`);
  differs('subjectCut', preview.subjectCut ?? false, want.subjectCut);
  differs('toTotal', body.toTotal, want.toTotal);
  differs('toCut', body.toCut ?? false, want.toCut);
  differs('attachments', body.attachments.length, want.attachments);
  differs('attachmentTotal', body.attachmentTotal, want.attachmentTotal);
  return wrong;
}

export async function hostileMail(p: HostileMailParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason instanceof Error ? reason.message : String(reason));
  process.on('unhandledRejection', onUnhandled);
  const world = await startWorld(undefined, undefined, p.profile);
  // Each message is waited for in real time while the virtual clock stands still: new mail paced
  // behind the last round (NewMailPace) would wait for virtual time that never passes here.
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile, tuning: { newMailPaceMs: 0 } });
  const corpus = hostileCorpus();
  const appended: number[] = [];
  const latencies: number[] = [];
  const slow: string[] = [];
  const markupLeaks: string[] = [];
  const overCaps: string[] = [];
  const unclean: string[] = [];
  const bodyFailures: string[] = [];
  const refused: string[] = [];
  const unshown: string[] = [];
  const newBytes: number[] = [];
  const openBytes: number[] = [];
  const overBudget: string[] = [];
  const structureHeavy = new Map<string, number>();
  let bytes = 0;

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    const idleFrom = s.timeline.length;
    for (let pass = 0; pass < p.passes; pass++) {
      for (const item of corpus) {
        const sent = Date.now();
        const readBefore = world.proxy.bytesServerToClient;
        let hostile: number;
        try {
          hostile = await world.other.append('INBOX', item.raw);
        } catch (err) {
          refused.push(`${item.name} (${(err as Error).message})`);
          continue;
        }
        bytes += item.raw.length;
        appended.push(hostile);
        try {
          await s.recorder.until(() => s.notified().includes(hostile), item.name, PROMPT_MS);
        } catch {
          slow.push(item.name);
          continue;
        }
        await s.settle();
        const newCost = world.proxy.bytesServerToClient - readBefore;
        newBytes.push(newCost);
        if (newCost > NEW_MESSAGE_BYTES) overBudget.push(`${item.name}: ${newCost} B read for the new message`);
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
          const openBefore = world.proxy.bytesServerToClient;
          const body = await withTimeout(s.session.getBody(preview.key, false), BODY_MS, `the body of ${item.name}`);
          const openCost = world.proxy.bytesServerToClient - openBefore;
          if (item.bodyStructureBytes) structureHeavy.set(item.name, Math.max(openCost, structureHeavy.get(item.name) ?? 0));
          else {
            openBytes.push(openCost);
            if (openCost > OPEN_BYTES) overBudget.push(`${item.name}: ${openCost} B read to open it`);
          }
          if (item.markup && (TAG.test(preview.snippet) || TAG.test(body.text))) {
            markupLeaks.push(`${item.name}: “${(TAG.exec(preview.snippet) ?? TAG.exec(body.text))?.[0]}”`);
          }
          const wrong = unmet(item, preview, body);
          if (wrong.length > 0) unshown.push(`${item.name}: ${wrong.join(', ')}`);
        } catch (err) {
          bodyFailures.push(`${item.name}: ${(err as Error).message}`);
        }
        // The next, normal message must still be announced promptly.
        const canary = await world.deliver(appended.length + 1);
        appended.push(canary);
        try {
          await s.recorder.until(() => s.notified().includes(canary), `the message after ${item.name}`, PROMPT_MS);
          latencies.push(Date.now() - sent);
        } catch {
          slow.push(`the message after ${item.name}`);
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
        ['bytes read per new message (median / worst)', `${median(newBytes)} B / ${Math.max(0, ...newBytes)} B`],
        ['bytes read to open one (median / worst)', `${median(openBytes)} B / ${Math.max(0, ...openBytes)} B`],
        ['bytes read to open one whose BODYSTRUCTURE is sender-sized (worst)', [...structureHeavy].map(([name, cost]) => `${name}: ${cost} B`).join('; ') || 'none in the corpus'],
      ],
      checks: [
        ...mailChecks(t),
        check(`each hostile message and the next one announced within ${PROMPT_MS / 1000} s each`, slow.length === 0, slow.join('; ') || 'all prompt'),
        check('the session stayed connected and idle', leftIdle.length === 0 && world.proxy.connectionsTotal === 1,
          `${leftIdle.map((e) => `${e.state}: ${e.reason}`).join('; ') || 'idle throughout'}, ${world.proxy.connectionsTotal} connection(s)`),
        check('no unhandled rejection', unhandled.length === 0, unhandled.join('; ') || 'none'),
        check('no HTML markup in previews or bodies', markupLeaks.length === 0, markupLeaks.join('; ') || 'none'),
        check('subjects and sender names are one clean line (no line breaks, controls or bidi overrides)', unclean.length === 0, unclean.join('; ') || 'all clean'),
        check('subjects and snippets within the protocol caps', overCaps.length === 0, overCaps.join('; ') || `≤ ${MAX_SUBJECT} / ≤ ${MAX_SNIPPET} chars`),
        check('every body fetched', bodyFailures.length === 0, bodyFailures.join('; ') || 'all fetched'),
        check('the server stored every message', refused.length === 0, refused.join('; ') || 'all stored'),
        check(`at most ${NEW_MESSAGE_BYTES} B read per new message and ${OPEN_BYTES} B to open one`, overBudget.length === 0 && newBytes.length > 0,
          overBudget.join('; ') || `worst ${Math.max(0, ...newBytes)} B / ${Math.max(0, ...openBytes)} B`),
        check('each message shows what it holds (text, recipients counted, attachments named, cuts said)', unshown.length === 0, unshown.join('; ') || 'all shown'),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    await s.stop();
    await world.stop();
    process.off('unhandledRejection', onUnhandled);
  }
}
