/** Test doubles for the extension's injected dependencies: storage, clock, sockets, ports. */
import { PROTOCOL_VERSION, parseClientMessage, parseServerMessage, type AccountStatus, type MessageKey, type Preview, type ServerMessage } from '../../protocol';
import { parseCall, type PortLike, type UiCommand } from '../../extension/bridge';
import type { Clock, SocketFactory, SocketHandlers } from '../../extension/connection';
import type { KeyValueStore } from '../../extension/storage';

export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  async get(key: string) {
    return structuredClone(this.data.get(key));
  }
  async set(key: string, value: unknown) {
    this.data.set(key, structuredClone(value));
  }
  async remove(key: string) {
    this.data.delete(key);
  }
  /** Everything stored, as one string, to look for things that must never be there. */
  dump(): string {
    return JSON.stringify([...this.data]);
  }
}

/** A clock that moves only when told to, running due timers in order. */
export class FakeClock implements Clock {
  #now: number;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 0;
  constructor(start = Date.UTC(2026, 0, 15, 12, 0)) {
    this.#now = start;
  }
  now() {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.#timers.delete(handle as number);
  }
  /** Delays of the timers now pending, soonest first. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }
  async advance(ms: number) {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
      await flush();
    }
    this.#now = until;
    await flush();
  }
}

/** Lets promise chains (and chains of them) settle. */
export async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

export class FakeSocket {
  readonly sent: Record<string, unknown>[] = [];
  closed = false;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  /** Checked with the helper's own parser: a frame the real helper would refuse fails the test here. */
  send(data: string) {
    const parsed = parseClientMessage(data);
    if (!parsed.ok) throw new Error(`the helper would refuse this frame (${parsed.error.message}): ${data.slice(0, 200)}`);
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  /** The last request of a type the client sent. */
  last(type: string) {
    const found = this.sent.filter((m) => m.type === type).at(-1);
    if (!found) throw new Error(`no ${type} sent; sent: ${this.sent.map((m) => m.type).join(', ')}`);
    return found as { id: string } & Record<string, unknown>;
  }
  open() {
    this.handlers.open();
  }
  /** Only what the real helper could send: checked against the protocol's schemas first. */
  receive(message: ServerMessage) {
    const raw = JSON.stringify(message);
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) throw new Error(`the helper could not send this frame (${parsed.error.message}): ${raw.slice(0, 200)}`);
    this.handlers.message(raw);
  }
  hello(protocol = PROTOCOL_VERSION) {
    this.open();
    this.receive({ type: 'hello', protocol, helperVersion: '1.2.3' });
  }
  reply(type: string, data: unknown = {}) {
    this.receive({ type: 'result', id: this.last(type).id, data });
  }
  /** The server side closes (or the connection fails). */
  drop() {
    this.handlers.close();
  }
}

export function socketFactory() {
  const sockets: FakeSocket[] = [];
  const create: SocketFactory = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    sockets.push(socket);
    return socket;
  };
  return { sockets, create, get current() { return sockets.at(-1)!; } };
}

export function account(overrides: Partial<AccountStatus> = {}): AccountStatus {
  return {
    id: 'icloud',
    label: 'iCloud',
    kind: 'icloud',
    host: 'imap.mail.me.com',
    username: 'me@icloud.com',
    state: 'idle',
    unreadCount: 0,
    passwordStore: 'keychain',
    ...overrides,
  };
}

export function preview(uid: number, overrides: Partial<Omit<Preview, 'key'>> = {}, key: Partial<MessageKey> = {}): Preview {
  return {
    key: { mailbox: 'INBOX', uidValidity: 7, uid, ...key },
    from: { name: `Sender ${uid}`, address: `s${uid}@example.com` },
    subject: `Subject ${uid}`,
    date: Date.UTC(2026, 0, 15, 10, uid),
    snippet: `Snippet ${uid}`,
    seen: false,
    ...overrides,
  };
}


type Listener<T extends unknown[]> = (...args: T) => void;
function event<T extends unknown[]>() {
  const listeners: Listener<T>[] = [];
  return { listeners, addListener: (l: Listener<T>) => void listeners.push(l), fire: (...args: T) => listeners.forEach((l) => l(...args)) };
}

/**
 * A command as the real background checks it: a fake link that answers by hand must not accept
 * what the background would refuse (that is how dead popup buttons once passed every test).
 */
export function checkedCommand(command: UiCommand): UiCommand {
  const parsed = parseCall({ kind: 'call', id: 0, command });
  if (!parsed.ok) throw new Error(`the background would refuse this command (${parsed.why}): ${JSON.stringify(command).slice(0, 300)}`);
  return command;
}

/** Both ends of a runtime port, wired to each other. */
export function portPair(extensionId = 'ext') {
  const toUi = event<[unknown]>();
  const toBg = event<[unknown]>();
  const uiDisconnect = event<[]>();
  const bgDisconnect = event<[]>();
  // Like runtime ports, delivery is asynchronous and copies the message.
  const deliver = (target: { fire: (m: unknown) => void }, m: unknown) => {
    const copy = structuredClone(m);
    queueMicrotask(() => target.fire(copy));
  };
  const background: PortLike = {
    name: 'ui',
    sender: { id: extensionId },
    postMessage: (m) => deliver(toUi, m),
    disconnect: () => uiDisconnect.fire(),
    onMessage: toBg,
    onDisconnect: bgDisconnect,
  };
  const ui: PortLike = {
    name: 'ui',
    postMessage: (m) => deliver(toBg, m),
    disconnect: () => bgDisconnect.fire(),
    onMessage: toUi,
    onDisconnect: uiDisconnect,
  };
  return { background, ui, event };
}

export { event };
