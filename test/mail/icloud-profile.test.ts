/**
 * The session against an iCloud-shaped Dovecot (no BINARY, MOVE or SPECIAL-USE; iCloud's folder
 * names): parts arrive still encoded and must be decoded here; archive and delete fall back to
 * COPY + UID EXPUNGE. Also: the cost of a 25 MB message's preview, counted at the proxy, and a
 * connection cap that must lead to backoff, not to "wrong password".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { startProxy, type TcpProxy } from '../harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { SNIPPET_MAX_BYTES } from '../../helper/mail/mime-text';
import { newStores, startSession, type SessionRecorder } from './session-fixture';

const USER = 'icloud-user';
const PASS = 'abcd-efgh-ijkl-mnop';

let dovecot: DovecotServer;
let proxy: TcpProxy;
let other: OtherDevice;
const sessions: SessionRecorder[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'icloud', users: [{ user: USER, pass: PASS }] });
  proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.session.stop();
});

afterAll(async () => {
  await other?.close();
  await proxy?.close();
  await dovecot?.stop();
});

async function idleSession(extra: Partial<Parameters<typeof startSession>[0]> = {}) {
  for (const uid of await other.listUids('INBOX')) await other.expunge('INBOX', uid);
  const s = await startSession({ host: '127.0.0.1', port: proxy.port, user: USER, pass: PASS, stores: newStores(), ...extra });
  sessions.push(s);
  await s.until(() => s.state() === 'idle', 'idle');
  return s;
}

async function deliver(s: SessionRecorder, raw: Buffer) {
  const uid = await other.append('INBOX', raw);
  await s.until(() => s.notified().includes(uid), `new mail ${uid}`);
  return s.deltas.flatMap((d) => d.added).find((p) => p.key.uid === uid)!;
}

describe('iCloud-shaped server', () => {
  it('decodes snippets and bodies that arrive still encoded (no BINARY)', async () => {
    const s = await idleSession();
    const latin = await deliver(
      s,
      buildMessage({
        subject: 'Grüße aus Köln',
        subjectEncoding: { charset: 'iso-8859-1', encoding: 'Q' },
        text: { content: 'Grüße, café crème à la carte.', charset: 'iso-8859-1', encoding: 'quoted-printable' },
      }),
    );
    expect(latin.subject).toBe('Grüße aus Köln');
    expect(latin.snippet).toBe('Grüße, café crème à la carte.');

    const japanese = await deliver(
      s,
      buildMessage({
        subject: '会議の件',
        subjectEncoding: { charset: 'utf-8', encoding: 'B' },
        text: { content: '明日の会議は十時からです。', charset: 'shift_jis', encoding: 'base64' },
      }),
    );
    expect(japanese.subject).toBe('会議の件');
    expect(japanese.snippet).toBe('明日の会議は十時からです。');

    const html = await deliver(
      s,
      buildMessage({
        subject: 'Newsletter',
        html: { content: '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Hello <b>reader</b> &amp; friends</p><img src=x onerror=alert(1)></body></html>', encoding: 'base64' },
      }),
    );
    expect(html.snippet).toBe('Hello reader & friends');

    const noText = await deliver(s, buildMessage({ subject: 'Only a picture', attachment: { size: 2000, filename: 'p.png', contentType: 'image/png' } }));
    expect(noText.snippet).toBe('');
    const body = await s.session.getBody(noText.key, false);
    expect(body.text).toBe('');
    // The message is that one part: named from its header, sized from the whole message (its
    // base64 decoded, so the header's few hundred bytes are all that is over), nothing downloaded.
    expect(body.attachments).toEqual([{ name: 'p.png', type: 'image/png', size: expect.any(Number) }]);
    expect(body.attachments[0].size).toBeGreaterThanOrEqual(2000);
    expect(body.attachments[0].size).toBeLessThan(2000 + 400);
    expect(body.attachmentTotal).toBe(1);
    const multipart = await deliver(s, buildMessage({ subject: 'Picture and words', text: 'See the picture.', attachment: { size: 2000, filename: 'p.png', contentType: 'image/png' } }));
    // In a multipart, from BODYSTRUCTURE: base64's encoded size, decoded.
    expect((await s.session.getBody(multipart.key, false)).attachments).toEqual([{ name: 'p.png', type: 'image/png', size: 2000 }]);

    const full = await s.session.getBody(japanese.key, false);
    expect(full.text).toContain('明日の会議は十時からです。');
  });

  it('archives and deletes without MOVE or SPECIAL-USE (COPY + UID EXPUNGE, folders found by name)', async () => {
    const s = await idleSession();
    const a = await deliver(s, buildMessage({ subject: 'keep me', text: 'archive' }));
    const d = await deliver(s, buildMessage({ subject: 'bin me', text: 'delete' }));
    const archivedBefore = (await other.listUids('Archive')).length;
    const deletedBefore = (await other.listUids('Deleted Messages')).length;
    await s.session.archive(a.key);
    await s.session.delete(d.key);
    expect(await other.listUids('INBOX')).toEqual([]);
    expect(await other.listUids('Archive')).toHaveLength(archivedBefore + 1);
    expect(await other.listUids('Deleted Messages')).toHaveLength(deletedBefore + 1);
    expect(s.session.unreadCount).toBe(0);
  });

  it('a 25 MB message costs what a 2 KB one does: header slices and the first 6 KiB of the body', async () => {
    const s = await idleSession();
    const cost = async (size: number) => {
      proxy.resetCounters();
      await deliver(s, buildMessage({ subject: `size ${size}`, text: 'Short text before a big attachment.', attachment: { size, filename: 'big.bin' } }));
      return proxy.bytesServerToClient;
    };
    const small = await cost(2_000);
    const huge = await cost(25 * 1024 * 1024);
    expect(small).toBeLessThan(16 * 1024);
    expect(huge).toBeLessThan(16 * 1024);
    // What differs is how much of the 6 KiB body slice the small message fills.
    expect(Math.abs(huge - small)).toBeLessThan(SNIPPET_MAX_BYTES);
  });

  it('a long text part: 6 KiB read for the preview, 40 KiB to open it, the rest left to webmail', async () => {
    const s = await idleSession();
    proxy.resetCounters();
    const long = 'All work and no play makes a long message. '.repeat(50_000); // ~2 MB of text
    const preview = await deliver(s, buildMessage({ subject: 'long', text: { content: long, encoding: 'base64' } }));
    expect(preview.snippet.startsWith('All work and no play')).toBe(true);
    expect(proxy.bytesServerToClient).toBeLessThan(16 * 1024);
    proxy.resetCounters();
    const body = await s.session.getBody(preview.key, false);
    expect(proxy.bytesServerToClient).toBeLessThan(64 * 1024);
    expect(body.truncated).toBe(true);
    // 40 KiB of base64 is 30 KiB of text, less its line breaks.
    expect(body.text.length).toBeGreaterThan(29_000);
    expect(long.startsWith(body.text)).toBe(true);
  });

  it('watches more folders on the same connection', async () => {
    const s = await idleSession({ watchedFolders: ['Junk'], tuning: { folderPollMs: 200 } });
    const connections = proxy.connectionsTotal;
    const uid = await other.append('Junk', buildMessage({ subject: 'in junk', text: 'spam?' }));
    await s.until(() => s.deltas.some((d) => d.added.some((p) => p.key.mailbox === 'Junk' && p.key.uid === uid)), 'junk mail seen');
    expect(proxy.connectionsTotal).toBe(connections);
    expect(s.notified()).toEqual([uid]);
  });
});

describe('connection cap', () => {
  let capped: DovecotServer;
  afterAll(async () => capped?.stop());

  it('NO [LIMIT] leads to backoff, not to auth-failed', async () => {
    capped = await startDovecot({ profile: 'icloud', users: [{ user: USER, pass: PASS }], maxUserIpConnections: 1 });
    const holder = await connectOtherDevice({ host: capped.host, port: capped.port, user: USER, pass: PASS });
    try {
      const s = await startSession({ host: capped.host, port: capped.port, user: USER, pass: PASS, stores: newStores() });
      sessions.push(s);
      await s.until(() => s.state() === 'backoff' || s.state() === 'auth-failed', 'refused login');
      expect(s.state()).toBe('backoff');
      const last = s.statuses.at(-1)!;
      expect(last.until! - Date.now()).toBeGreaterThanOrEqual(14 * 60_000);
    } finally {
      await holder.close();
    }
  });
});
