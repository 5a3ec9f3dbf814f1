/**
 * The IMAP session against a real Dovecot (stock profile), through a counting proxy, with a
 * second client playing "another device".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { startProxy, type TcpProxy as Proxy } from '../harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { pollUntil } from '../harness/wait';
import { newStores, startSession, type SessionRecorder, type Stores } from './session-fixture';

const USER = 'alice';
const PASS = 'correct-horse-7';

let dovecot: DovecotServer;
let proxy: Proxy;
let other: OtherDevice;
const sessions: SessionRecorder[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }, { user: 'bob', pass: 'bob-pass-1' }] });
  proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.session.stop();
  proxy.resume();
  proxy.refuseNew(false);
});

afterAll(async () => {
  await other?.close();
  await proxy?.close();
  await dovecot?.stop();
});

async function session(stores: Stores = newStores(), extra: Partial<Parameters<typeof startSession>[0]> = {}) {
  const s = await startSession({ host: '127.0.0.1', port: proxy.port, user: USER, pass: PASS, stores, ...extra });
  sessions.push(s);
  return s;
}

async function clearInbox() {
  for (const uid of await other.listUids('INBOX')) await other.expunge('INBOX', uid);
}

let counter = 0;
function message(subject = `Message ${++counter}`, text = `Body of ${subject}, with enough words to make a snippet.`) {
  return buildMessage({ from: 'Carol <carol@example.test>', to: 'alice@example.test', subject, text });
}

describe('AccountSession on a real Dovecot', () => {
  it('first sync reports the unread set with previews and announces nothing', async () => {
    await clearInbox();
    const a = await other.append('INBOX', message('Already here 1'));
    const b = await other.append('INBOX', message('Already here 2'));
    await other.append('INBOX', message('Read already'), ['\\Seen']);
    const s = await session();
    await s.until(() => s.snapshots.length > 0 && s.state() === 'idle', 'first snapshot');
    const snap = s.snapshots[0];
    expect(snap.unreadCount).toBe(2);
    expect(snap.previews.map((p) => p.key.uid).sort()).toEqual([a, b].sort());
    const preview = snap.previews.find((p) => p.key.uid === a)!;
    expect(preview.subject).toBe('Already here 1');
    expect(preview.from).toEqual({ name: 'Carol', address: 'carol@example.test' });
    expect(preview.snippet).toContain('Body of Already here 1');
    expect(s.notified()).toEqual([]);
  });

  it('a message appended by another device arrives once, with envelope and snippet, as new mail', async () => {
    await clearInbox();
    const s = await session();
    await s.until(() => s.state() === 'idle', 'idle');
    const uid = await other.append('INBOX', message('Fresh news', 'Hello Alice, the snippet is this text.'));
    await s.until(() => s.notified().includes(uid), 'new-mail event');
    const delta = s.deltas.find((d) => d.notify.some((k) => k.uid === uid))!;
    expect(delta.added.map((p) => p.subject)).toEqual(['Fresh news']);
    expect(delta.added[0].snippet).toBe('Hello Alice, the snippet is this text.');
    expect(delta.unreadCount).toBe(1);
    // Fetching the preview must not have marked it read.
    expect(await other.flagsOf('INBOX', uid)).not.toContain('\\Seen');
    expect(s.notified()).toEqual([uid]);
  });

  it('flags and expunges by another device update the unread set; mark read here reaches the other device', async () => {
    await clearInbox();
    const x = await other.append('INBOX', message('x'));
    const y = await other.append('INBOX', message('y'));
    const z = await other.append('INBOX', message('z'));
    const s = await session();
    await s.until(() => s.session.unreadCount === 3, 'three unread');

    await other.addFlags('INBOX', x, ['\\Seen']);
    await s.until(() => s.session.unreadCount === 2, 'read elsewhere');
    expect(s.previews().map((p) => p.key.uid)).not.toContain(x);

    await other.expunge('INBOX', y);
    await s.until(() => s.session.unreadCount === 1, 'expunged elsewhere');

    await other.removeFlags('INBOX', x, ['\\Seen']);
    await s.until(() => s.session.unreadCount === 2, 'unread again elsewhere');
    // Marked unread again is not new mail.
    expect(s.notified()).toEqual([]);

    const key = s.previews().find((p) => p.key.uid === z)!.key;
    await s.session.setSeen([key], true);
    expect(await other.flagsOf('INBOX', z)).toContain('\\Seen');
    expect(s.session.unreadCount).toBe(1);
  });

  it('a burst of changes elsewhere (30 marked read at once) is handled as one change', async () => {
    await clearInbox();
    const s = await session();
    await s.until(() => s.state() === 'idle', 'idle');
    for (let i = 0; i < 30; i++) await other.append('INBOX', message(`burst ${i}`));
    await s.until(() => s.session.unreadCount === 30, 'thirty unread');
    const deltas = s.deltas.length;
    await other.addFlags('INBOX', '1:*', ['\\Seen']);
    await s.until(() => s.session.unreadCount === 0, 'all read elsewhere');
    expect(s.deltas.length - deltas).toBeLessThanOrEqual(2);
    expect(s.deltas.at(-1)!.unreadCount).toBe(0);
  });

  it('reads a body on demand without marking it, and marks it when asked', async () => {
    await clearInbox();
    const uid = await other.append('INBOX', message('Readable', 'Line one.\r\nLine two.'));
    const s = await session();
    await s.until(() => s.session.unreadCount === 1, 'one unread');
    const key = s.previews()[0].key;
    const body = await s.session.getBody(key, false);
    expect(body.text).toContain('Line one.\nLine two.');
    expect(body.truncated).toBe(false);
    expect(await other.flagsOf('INBOX', uid)).not.toContain('\\Seen');
    await s.session.getBody(key, true);
    expect(await other.flagsOf('INBOX', uid)).toContain('\\Seen');
    expect(s.session.unreadCount).toBe(0);
  });

  it('mark all read, archive and delete are confirmed by the server', async () => {
    await clearInbox();
    const s = await session();
    await s.until(() => s.state() === 'idle', 'idle');
    const a = await other.append('INBOX', message('to archive'));
    const d = await other.append('INBOX', message('to delete'));
    await other.append('INBOX', message('to read'));
    await s.until(() => s.session.unreadCount === 3, 'three unread');
    await s.session.archive(s.previews().find((p) => p.key.uid === a)!.key);
    await s.session.delete(s.previews().find((p) => p.key.uid === d)!.key);
    expect(await other.listUids('INBOX')).toHaveLength(1);
    expect(await other.listUids('Archive')).not.toHaveLength(0);
    expect(await other.listUids('Trash')).not.toHaveLength(0);
    expect(await s.session.markAllRead()).toBe(1);
    expect(s.session.unreadCount).toBe(0);
  });

  it('keeps exactly one connection, and after a dropped link reports mail from the outage once each', async () => {
    await clearInbox();
    const s = await session();
    await s.until(() => s.state() === 'idle', 'idle');
    const before = proxy.connectionsTotal;
    proxy.refuseNew(true);
    proxy.dropAll();
    await s.until(() => s.statuses.some((st, i) => i > 0 && st.state !== 'idle'), 'link loss noticed');
    const during = [await other.append('INBOX', message('o1')), await other.append('INBOX', message('o2')), await other.append('INBOX', message('o3'))];
    proxy.refuseNew(false);
    await s.until(() => during.every((uid) => s.notified().includes(uid)), 'outage mail reported', 30_000);
    expect(s.notified().sort()).toEqual(during.sort());
    expect(proxy.connectionsOpen).toBe(1);
    expect(proxy.connectionsTotal - before).toBeGreaterThanOrEqual(1);
  });

  it('replaces a silent (stalled) link and loses nothing', async () => {
    await clearInbox();
    const s = await session(newStores(), { tuning: { heartbeatMs: 1_500, tickMs: 250, commandTimeoutMs: 1_000 } });
    await s.until(() => s.state() === 'idle', 'idle');
    const first = proxy.connectionsTotal;
    proxy.stall();
    const uid = await other.append('INBOX', message('during stall'));
    const idleAt = s.statuses.length;
    await s.until(() => s.statuses.slice(idleAt).some((st) => st.state === 'connecting'), 'stall detected', 10_000);
    proxy.resume();
    await s.until(() => s.notified().includes(uid), 'mail after stall', 30_000);
    expect(proxy.connectionsTotal).toBe(first + 1);
    expect(s.notified()).toEqual([uid]);
  });

  it('a UIDVALIDITY change means a full resync: the new list, and no old mail announced as new', async () => {
    await clearInbox();
    const s = await session();
    await s.until(() => s.state() === 'idle', 'idle');
    const uid = await other.append('INBOX', message('before renumbering'));
    await s.until(() => s.notified().includes(uid), 'announced once');
    const snapshots = s.snapshots.length;
    await dovecot.setUidValidity(USER, 'INBOX', 4242);
    await dovecot.kick(USER);
    await s.until(() => s.snapshots.length > snapshots, 'resync snapshot after reconnect', 30_000);
    const fresh = s.snapshots.at(-1)!;
    expect(fresh.previews.map((p) => p.key.uidValidity)).toEqual([4242]);
    expect(fresh.unreadCount).toBe(1);
    expect(s.notified()).toEqual([uid]);
    // The other device was kicked too.
    other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  });

  it('re-issues IDLE on schedule (RFC 2177), on the same connection', async () => {
    await clearInbox();
    const s = await session(newStores(), { tuning: { maxIdleTimeMs: 300 } });
    await s.until(() => s.state() === 'idle', 'idle');
    const connections = proxy.connectionsTotal;
    const sent = proxy.bytesClientToServer;
    // Each renewal is a DONE and a new tagged IDLE: about 20 bytes from the client.
    await pollUntil(() => proxy.bytesClientToServer - sent >= 60, { what: 'three IDLE renewals', timeoutMs: 5_000, intervalMs: 100 });
    expect(proxy.connectionsTotal).toBe(connections);
    expect(s.state()).toBe('idle');
  });

  it('a restart announces no message twice, and announces mail that came while it was down', async () => {
    await clearInbox();
    const stores = newStores();
    const s1 = await session(stores);
    await s1.until(() => s1.state() === 'idle', 'idle');
    const seen = await other.append('INBOX', message('before restart'));
    await s1.until(() => s1.notified().includes(seen), 'first announcement');
    await s1.session.stop();
    const whileDown = await other.append('INBOX', message('while down'));
    const s2 = await session(stores);
    await s2.until(() => s2.notified().includes(whileDown), 'missed mail announced after restart');
    expect(s2.notified()).toEqual([whileDown]);
    expect(s2.snapshots[0].unreadCount).toBe(2);
  });
});

describe('login safety on a real Dovecot', () => {
  it('a wrong password is tried exactly once, then never again', async () => {
    const before = proxy.connectionsTotal;
    const s = await session(newStores(), { pass: 'wrong-password' });
    await s.until(() => s.state() === 'auth-failed', 'auth-failed');
    // Whatever nudges the session (timers, wake-ups), it must not log in again.
    for (let i = 0; i < 5; i++) s.session.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.state()).toBe('auth-failed');
    expect(proxy.connectionsTotal - before).toBe(1);
  });
});
