/**
 * Archive and delete on a server with no special-use folders (Debian's Dovecot as installed:
 * INBOX alone): a clear error, never a silent no-op; then the folders the user picks or creates,
 * the usual names, and permanent delete where the user chose it. The server's state is checked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeleteMode } from '../../protocol';
import { SessionError } from '../../helper/mail/account-session';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { newStores, startSession, type SessionRecorder } from './session-fixture';

const USER = 'dora';
const PASS = 'bare-folders-pass-3';

let dovecot: DovecotServer;
let other: OtherDevice;
const sessions: SessionRecorder[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'bare', users: [{ user: USER, pass: PASS }] });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.session.stop();
});

afterAll(async () => {
  await other?.close();
  await dovecot?.stop();
});

async function sessionWith(folders: { archiveFolder?: string; trashFolder?: string; deleteMode?: DeleteMode } = {}) {
  const s = await startSession({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS, stores: newStores() });
  Object.assign(s.account, folders);
  sessions.push(s);
  await s.until(() => s.state() === 'idle', 'idle');
  return s;
}

async function deliver(subject: string) {
  const uid = await other.append('INBOX', buildMessage({ from: 'Ed <ed@example.test>', subject, text: `About ${subject}.` }));
  return uid;
}

async function keyOfSubject(s: SessionRecorder, subject: string) {
  await s.until(() => s.previews().some((p) => p.subject === subject), `preview of ${subject}`);
  return s.previews().find((p) => p.subject === subject)!.key;
}

async function refusal(work: Promise<unknown>): Promise<SessionError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SessionError);
  return error as SessionError;
}

describe('archive and delete on a server without special-use folders', () => {
  it('refuses with what to do when there is no folder, and the message stays where it was', async () => {
    const s = await sessionWith();
    await deliver('Nowhere to go');
    const key = await keyOfSubject(s, 'Nowhere to go');
    expect((await refusal(s.session.archive(key))).message).toMatch(/^This account has no archive folder\. Choose or create one/);
    expect((await refusal(s.session.delete(key))).message).toMatch(/^This account has no trash folder\./);
    expect(await other.subjects('INBOX')).toContain('Nowhere to go');
    expect(await s.session.listFolders()).toEqual({ folders: [expect.objectContaining({ path: 'INBOX' })] });
  });

  it('creates the folders the user names, then archives and deletes into them', async () => {
    const s = await sessionWith();
    await s.session.ensureFolders(['Kept', 'Binned']);
    expect(await other.folders()).toEqual(expect.arrayContaining(['Kept', 'Binned']));
    Object.assign(s.account, { archiveFolder: 'Kept', trashFolder: 'Binned' });
    await deliver('Keep this');
    await deliver('Bin this');
    await s.session.archive(await keyOfSubject(s, 'Keep this'));
    await s.session.delete(await keyOfSubject(s, 'Bin this'));
    expect(await other.subjects('Kept')).toEqual(['Keep this']);
    expect(await other.subjects('Binned')).toEqual(['Bin this']);
    expect(await other.subjects('INBOX')).not.toEqual(expect.arrayContaining(['Keep this', 'Bin this']));
    expect(s.previews().map((p) => p.subject)).not.toEqual(expect.arrayContaining(['Keep this', 'Bin this']));
  });

  it('finds folders named as usual when nothing is flagged', async () => {
    await other.createFolder('Archives');
    await other.createFolder('Deleted Items');
    const s = await sessionWith();
    expect(await s.session.listFolders()).toMatchObject({ archive: 'Archives', trash: 'Deleted Items' });
    await deliver('To the usual place');
    await s.session.archive(await keyOfSubject(s, 'To the usual place'));
    expect(await other.subjects('Archives')).toContain('To the usual place');
  });

  it('deletes for good only in the mode the user chose: the message is gone from every folder', async () => {
    const s = await sessionWith({ deleteMode: 'expunge' });
    await deliver('Gone for good');
    await s.session.delete(await keyOfSubject(s, 'Gone for good'));
    for (const folder of await other.folders()) expect(await other.subjects(folder)).not.toContain('Gone for good');
  });
});
