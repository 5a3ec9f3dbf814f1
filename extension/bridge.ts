/**
 * How the popup and the settings page talk to the background: one runtime port each. The
 * background pushes a snapshot of everything the UI shows after every change and answers calls;
 * the UI never talks to the helper itself, so there is one connection and one token holder.
 */
import * as v from 'valibot';
import { ClientMessageSchema, type ClientMessage, type ClientRequestType, type ResultOf } from '../protocol';
import { requestTimeoutMs } from './connection';
import { UserError, userMessage } from './errors';
import { t } from './i18n';
import type { Settings } from './settings';
import type { ExtensionState } from './state';

export const UI_PORT_NAME = 'ui';

export interface UiSnapshot {
  state: ExtensionState;
  settings: Settings;
  /** This browser holds a token for the helper (whether or not the helper is running now). */
  paired: boolean;
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
  'update-account', 'remove-account', 'retry-login', 'get-login-log', 'list-folders',
]);


export type ParsedCall = { ok: true; id: number; command: UiCommand } | { ok: false; id?: number; why: string };

/**
 * Checks a command from a port; helper calls are checked against the wire protocol itself. A
 * refused command still names its id when it has one, so the page gets an error, not silence.
 */
export function parseCall(message: unknown): ParsedCall {
  const rawId = (message as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'number' ? rawId : undefined;
  const parsed = v.safeParse(CallSchema, message);
  if (!parsed.success) return { ok: false, id, why: issueText(parsed.issues) };
  const { command } = parsed.output;
  if (command.type !== 'helper') return { ok: true, id: parsed.output.id, command: command as UiCommand };
  const call = (message as { command: { call: Record<string, unknown> } }).command.call;
  if (!PASS_THROUGH.has(call.type as string)) return { ok: false, id, why: `"${String(call.type)}" is not a page's request` };
  const checked = v.safeParse(ClientMessageSchema, { ...call, id: 'ui' });
  if (!checked.success) return { ok: false, id, why: issueText(checked.issues) };
  const { id: _, ...helperCall } = checked.output;
  return { ok: true, id: parsed.output.id, command: { type: 'helper', call: helperCall as HelperCall } };
}

function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  return `${v.getDotPath(issue) ?? 'message'}: ${issue.message}`;
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
    if (!call.ok) {
      console.error(`mail-notifier: refused a command from a page (${call.why})`);
      // A bug in the extension, never the user's doing: the page says so.
      if (call.id !== undefined) port.postMessage({ kind: 'reply', id: call.id, ok: false, message: t('errorRefusedCommand') } satisfies BackgroundMessage);
      return;
    }
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

/** Local commands (settings, pairing) answer at once or after one handshake with the helper. */
const LOCAL_COMMAND_DEADLINE_MS = 20_000;
/** The background's own timeout on a helper request, plus a margin for its reply to arrive. */
const DEADLINE_MARGIN_MS = 5_000;

/** How long a page waits for the background's answer before it says so: nothing waits forever. */
export function commandDeadlineMs(command: UiCommand): number {
  return command.type === 'helper' ? requestTimeoutMs(command.call.type) + DEADLINE_MARGIN_MS : LOCAL_COMMAND_DEADLINE_MS;
}

interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** UI side: one port to the background, reopened when the background restarts (MV3 stops idle workers). */
export class BackgroundLink {
  #port: PortLike | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, { resolve: (data: unknown) => void; reject: (error: UserError) => void; timer: unknown }>();
  readonly #listeners = new Set<(snapshot: UiSnapshot) => void>();

  constructor(
    private readonly connect: () => PortLike,
    private readonly timers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
  ) {}

  #open(): PortLike {
    if (this.#port) return this.#port;
    const port = this.connect();
    this.#port = port;
    port.onMessage.addListener((message) => this.#onMessage(message as BackgroundMessage));
    port.onDisconnect.addListener(() => {
      this.#port = undefined;
      for (const pending of this.#pending.values()) {
        this.timers.clearTimeout(pending.timer);
        pending.reject(new UserError(t('errorBackgroundRestarted')));
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
    this.timers.clearTimeout(pending.timer);
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
      const timer = this.timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(new UserError(t('errorNoAnswer')));
      }, commandDeadlineMs(command));
      this.#pending.set(id, { resolve, reject, timer });
      port.postMessage({ kind: 'call', id, command });
    });
  }

  helper<T extends HelperCallType>(call: Extract<HelperCall, { type: T }>): Promise<ResultOf<T>> {
    return this.call({ type: 'helper', call }) as Promise<ResultOf<T>>;
  }
}
