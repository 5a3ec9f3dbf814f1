/**
 * How the popup and the settings page talk to the background: one runtime port each. The
 * background pushes a snapshot of everything the UI shows after every change and answers calls;
 * the UI never talks to the helper itself, so there is one connection and one token holder.
 */
import * as v from 'valibot';
import { ClientMessageSchema, type ClientMessage, type ClientRequestType, type ResultOf } from '../protocol';
import { UserError, userMessage } from './errors';
import type { Settings } from './settings';
import type { ExtensionState } from './state';

export const UI_PORT_NAME = 'ui';

export interface UiSnapshot {
  state: ExtensionState;
  settings: Settings;
  /** False on Safari: it has no notifications API for extensions. */
  notificationsSupported: boolean;
}

/** Requests the UI may pass through to the helper; the handshake and pings are the background's own. */
export type HelperCallType = Exclude<ClientRequestType, 'pair' | 'auth' | 'ping'>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type HelperCall = WithoutId<Extract<ClientMessage, { type: HelperCallType }>>;

export type UiCommand =
  | { type: 'helper'; call: HelperCall }
  | { type: 'pair'; address: string; code: string }
  | { type: 'unpair' }
  | { type: 'save-settings'; change: Partial<Settings> }
  /** The UI opened: retry the helper now rather than at the end of the backoff. */
  | { type: 'wake' };

export type BackgroundMessage =
  | { kind: 'snapshot'; snapshot: UiSnapshot }
  | { kind: 'reply'; id: number; ok: true; data: unknown }
  | { kind: 'reply'; id: number; ok: false; message: string };

const CallSchema = v.object({
  kind: v.literal('call'),
  id: v.number(),
  command: v.variant('type', [
    v.object({ type: v.literal('helper'), call: v.object({ type: v.string() }) }),
    v.object({ type: v.literal('pair'), address: v.string(), code: v.string() }),
    v.object({ type: v.literal('unpair') }),
    v.object({ type: v.literal('save-settings'), change: v.record(v.string(), v.unknown()) }),
    v.object({ type: v.literal('wake') }),
  ]),
});
const PASS_THROUGH: ReadonlySet<string> = new Set<HelperCallType>([
  'get-body', 'set-seen', 'mark-all-read', 'archive', 'delete', 'add-account', 'test-account',
  'update-account', 'remove-account', 'retry-login', 'get-login-log',
]);

/** Checks a command from a port; helper calls are checked against the wire protocol itself. */
export function parseCall(message: unknown): { id: number; command: UiCommand } | undefined {
  const parsed = v.safeParse(CallSchema, message);
  if (!parsed.success) return undefined;
  const { id, command } = parsed.output;
  if (command.type !== 'helper') return { id, command: command as UiCommand };
  const call = (message as { command: { call: Record<string, unknown> } }).command.call;
  if (!PASS_THROUGH.has(call.type as string)) return undefined;
  const checked = v.safeParse(ClientMessageSchema, { ...call, id: 'ui' });
  if (!checked.success) return undefined;
  const { id: _, ...helperCall } = checked.output;
  return { id, command: { type: 'helper', call: helperCall as HelperCall } };
}

interface Event<T extends (...args: never[]) => void> {
  addListener(listener: T): void;
}

export interface PortLike {
  name: string;
  sender?: { id?: string; url?: string };
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: Event<(message: unknown) => void>;
  onDisconnect: Event<() => void>;
}

export interface UiHubDeps {
  extensionId: string;
  snapshot: () => UiSnapshot;
  handle: (command: UiCommand) => Promise<unknown>;
}

/** Background side: accepts ports from this extension's own pages, answers calls, pushes snapshots. */
export class UiHub {
  readonly #ports = new Set<PortLike>();

  constructor(private readonly deps: UiHubDeps) {}

  get connected(): number {
    return this.#ports.size;
  }

  accept(port: PortLike): void {
    if (port.name !== UI_PORT_NAME || port.sender?.id !== this.deps.extensionId) return port.disconnect();
    this.#ports.add(port);
    port.onDisconnect.addListener(() => this.#ports.delete(port));
    port.onMessage.addListener((message) => void this.#onMessage(port, message));
    port.postMessage({ kind: 'snapshot', snapshot: this.deps.snapshot() } satisfies BackgroundMessage);
  }

  broadcast(): void {
    const message: BackgroundMessage = { kind: 'snapshot', snapshot: this.deps.snapshot() };
    for (const port of this.#ports) port.postMessage(message);
  }

  async #onMessage(port: PortLike, message: unknown): Promise<void> {
    const call = parseCall(message);
    if (!call) return;
    let reply: BackgroundMessage;
    try {
      reply = { kind: 'reply', id: call.id, ok: true, data: (await this.deps.handle(call.command)) ?? null };
    } catch (error) {
      if (!(error instanceof UserError)) console.error('mail-notifier: command failed', error);
      reply = { kind: 'reply', id: call.id, ok: false, message: userMessage(error) };
    }
    if (this.#ports.has(port)) port.postMessage(reply);
  }
}

/** UI side: one port to the background, reopened when the background restarts (MV3 stops idle workers). */
export class BackgroundLink {
  #port: PortLike | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve: (data: unknown) => void; reject: (error: UserError) => void }>();
  readonly #listeners = new Set<(snapshot: UiSnapshot) => void>();

  constructor(private readonly connect: () => PortLike) {}

  #open(): PortLike {
    if (this.#port) return this.#port;
    const port = this.connect();
    this.#port = port;
    port.onMessage.addListener((message) => this.#onMessage(message as BackgroundMessage));
    port.onDisconnect.addListener(() => {
      this.#port = undefined;
      for (const pending of this.#pending.values()) {
        pending.reject(new UserError('The extension restarted in the background; try again.'));
      }
      this.#pending.clear();
      // Reopen at once so the page keeps receiving state.
      if (this.#listeners.size > 0) this.#open();
    });
    return port;
  }

  #onMessage(message: BackgroundMessage): void {
    if (message.kind === 'snapshot') {
      for (const listener of this.#listeners) listener(message.snapshot);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.data);
    else pending.reject(new UserError(message.message));
  }

  subscribe(listener: (snapshot: UiSnapshot) => void): () => void {
    this.#listeners.add(listener);
    this.#open();
    return () => this.#listeners.delete(listener);
  }

  call(command: UiCommand): Promise<unknown> {
    const port = this.#open();
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      port.postMessage({ kind: 'call', id, command });
    });
  }

  helper<T extends HelperCallType>(call: Extract<HelperCall, { type: T }>): Promise<ResultOf<T>> {
    return this.call({ type: 'helper', call }) as Promise<ResultOf<T>>;
  }
}
