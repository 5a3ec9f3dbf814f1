/**
 * "Another device" of the same user (a phone, webmail): its own imapflow session straight to
 * Dovecot, never through the test proxy, that changes the mailbox under the client being tested.
 */
import { ImapFlow } from 'imapflow';

export interface OtherDeviceOptions {
  host: string;
  port: number;
  user: string;
  pass: string;
}

export interface OtherDevice {
  /** Stores a message; resolves with its UID (UIDPLUS). */
  append(mailbox: string, raw: string | Buffer, flags?: string[]): Promise<number>;
  /** `uid` may be a UID set such as '1:*'. */
  addFlags(mailbox: string, uid: number | string, flags: string[]): Promise<void>;
  removeFlags(mailbox: string, uid: number, flags: string[]): Promise<void>;
  /** Deletes and expunges this one message (UID EXPUNGE: other \Deleted messages stay). */
  expunge(mailbox: string, uid: number): Promise<void>;
  /** Sorted, without the session-bound \Recent. */
  flagsOf(mailbox: string, uid: number): Promise<string[]>;
  /** UIDs in ascending order. */
  listUids(mailbox: string): Promise<number[]>;
  /** Subjects of the messages in a mailbox, in UID order (what tests driving a UI can check). */
  subjects(mailbox: string): Promise<string[]>;
  /** Each message's UID, subject and whether it is \Seen, in UID order. */
  messages(mailbox: string): Promise<{ uid: number; subject: string; seen: boolean }[]>;
  /** Moves one message elsewhere, as another mail app would. */
  move(mailbox: string, uid: number, target: string): Promise<void>;
  createFolder(path: string): Promise<void>;
  /** Every folder's path. */
  folders(): Promise<string[]>;
  close(): Promise<void>;
}

export async function connectOtherDevice({ host, port, user, pass }: OtherDeviceOptions): Promise<OtherDevice> {
  const client = new ImapFlow({
    host, port, secure: false, auth: { user, pass }, logger: false,
    // It only acts when asked; an idling session would just add noise to the server.
    disableAutoIdle: true,
  });
  // Failures reach the caller as rejected calls; an unhandled 'error' event would crash the test process.
  client.on('error', () => undefined);
  await client.connect();

  const messages = (mailbox: string) =>
    inMailbox(mailbox, async () => {
      await client.noop();
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      const found = await client.fetchAll('1:*', { uid: true, envelope: true, flags: true });
      return found
        .sort((a, b) => a.uid - b.uid)
        .map((m) => ({ uid: m.uid, subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false }));
    });

  /** Runs `work` with `mailbox` selected, one operation at a time. */
  const inMailbox = async <T>(mailbox: string, work: () => Promise<T>): Promise<T> => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      return await work();
    } finally {
      lock.release();
    }
  };
  const uidRange = (uid: number | string): string => String(uid);

  return {
    async append(mailbox, raw, flags = []) {
      const result = await client.append(mailbox, raw, flags);
      if (!result || result.uid === undefined) throw new Error(`APPEND to ${mailbox} reported no UID`);
      return result.uid;
    },
    addFlags: (mailbox, uid, flags) =>
      inMailbox(mailbox, async () => { await client.messageFlagsAdd(uidRange(uid), flags, { uid: true }); }),
    removeFlags: (mailbox, uid, flags) =>
      inMailbox(mailbox, async () => { await client.messageFlagsRemove(uidRange(uid), flags, { uid: true }); }),
    expunge: (mailbox, uid) =>
      inMailbox(mailbox, async () => { await client.messageDelete(uidRange(uid), { uid: true }); }),
    flagsOf: (mailbox, uid) =>
      inMailbox(mailbox, async () => {
        const message = await client.fetchOne(uidRange(uid), { flags: true }, { uid: true });
        if (!message) throw new Error(`no message with UID ${uid} in ${mailbox}`);
        // \Recent belongs to whichever session saw the message first, not to the message.
        return [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort();
      }),
    listUids: (mailbox) =>
      inMailbox(mailbox, async () => {
        // A NOOP first: the server holds back EXPUNGE news during SEARCH, so without it messages
        // another client moved away would still be listed.
        await client.noop();
        const uids = await client.search({ all: true }, { uid: true });
        return (uids || []).sort((a, b) => a - b);
      }),
    subjects: async (mailbox) => (await messages(mailbox)).map((m) => m.subject),
    messages,
    move: (mailbox, uid, target) =>
      inMailbox(mailbox, async () => {
        if (!(await client.messageMove(uidRange(uid), target, { uid: true }))) throw new Error(`could not move UID ${uid} to ${target}`);
      }),
    async createFolder(path) {
      await client.mailboxCreate(path);
    },
    folders: async () => (await client.list()).map((f) => f.path),
    async close() {
      if (client.usable) await client.logout();
      else client.close();
    },
  };
}
