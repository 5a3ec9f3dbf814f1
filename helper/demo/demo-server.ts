/**
 * The demo account's mailbox: a small in-memory IMAP server (hoodiecrow-imap) on loopback inside
 * the helper, so the demo goes through the very same session, registry, protocol and extension
 * code as a real account. It gets a new message every `intervalMs`.
 */
import { randomBytes } from 'node:crypto';
import hoodiecrow, { type HoodiecrowServer } from 'hoodiecrow-imap';
import builtInFetchHandlers from 'hoodiecrow-imap/lib/commands/handlers/fetch.js';
import { TRICKLE, WELCOME, toRaw } from './demo-messages';

export interface DemoServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** Delivers the next demo message now (also what the timer does). */
  deliver(): void;
  close(): Promise<void>;
}

export const DEMO_USERNAME = 'demo';

export async function startDemoServer({ intervalMs = 120_000 } = {}): Promise<DemoServer> {
  // A fresh random password per run: the demo server is on loopback, but still nobody else's door.
  const password = randomBytes(18).toString('base64url');
  const now = Date.now();
  const server = hoodiecrow({
    plugins: ['IDLE', 'UIDPLUS', 'SPECIAL-USE', 'ID', 'ENABLE', 'MOVE', 'UNSELECT'],
    id: { name: 'mail-notifier-demo' },
    users: { [DEMO_USERNAME]: { password } },
    storage: {
      INBOX: { messages: WELCOME.map((m, i) => ({ raw: toRaw(m, new Date(now - (WELCOME.length - i) * 60_000), i), flags: [] })) },
      '': { separator: '/', folders: { Archive: { 'special-use': '\\Archive' }, Trash: { 'special-use': '\\Trash' } } },
    },
  });
  keepPartialFetchPerMessage(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let sent = 0;
  const deliver = () => {
    const message = TRICKLE[sent % TRICKLE.length];
    server.appendMessage(server.getMailbox('INBOX'), [], false, toRaw(message, new Date(), WELCOME.length + sent++));
  };
  const timer = setInterval(deliver, intervalMs);
  timer.unref();
  return {
    host: '127.0.0.1',
    port,
    username: DEMO_USERNAME,
    password,
    deliver,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
      }),
  };
}

/**
 * hoodiecrow trims a FETCH item's `<start.length>` to `<start>` in the parsed request itself when
 * a message is shorter than `length` (that is how its reply says `<0>`), so every later message of
 * the same FETCH got an empty slice: the demo's second message had no preview. Each message now
 * starts from the item as the client sent it.
 */
function keepPartialFetchPerMessage(server: HoodiecrowServer): void {
  const asSent = new WeakMap<object, number[]>();
  for (const key of ['BODY', 'BODY.PEEK']) {
    server.fetchHandlers[key] = (connection, message, query) => {
      if (query.partial) {
        const partial = asSent.get(query) ?? [...query.partial];
        asSent.set(query, partial);
        query.partial = [...partial];
      }
      return builtInFetchHandlers[key](connection, message, query);
    };
  }
}
