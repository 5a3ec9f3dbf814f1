/**
 * The background's one WebSocket to the helper: handshake (hello → auth or pair), requests with
 * exactly one answer each, a ping every 20 s (an MV3 service worker lives only while messages
 * flow), and reconnection with capped, jittered backoff while the helper is down. Sockets, clock,
 * randomness and the token store are injected so tests drive every path.
 */
import {
  PROTOCOL_VERSION,
  parseResult,
  parseServerMessage,
  type ClientRequest,
  type ClientRequestType,
  type ErrorCode,
  type ResultOf,
} from '../protocol';
import { UserError } from './errors';
import { t } from './i18n';
import type { ConnectionPhase, StoreEvent } from './state';
import type { TokenStore } from './storage';

export const PING_INTERVAL_MS = 20_000;
export const PING_TIMEOUT_MS = 10_000;
/** From creating the socket to being authenticated; the helper itself closes after 5 s without auth. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * The helper is on this machine: a refused connect costs next to nothing, so the extension keeps
 * trying every few seconds, and the badge is right within seconds of the helper coming back
 * (after a restart, or the machine waking: waits of up to 30 s were measured with a 30 s cap).
 */
export const MAX_BACKOFF_MS = 5_000;
const BASE_BACKOFF_MS = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Requests that log in to a mail server can wait on the helper's login policy and a slow server. */
const SLOW_REQUEST_TIMEOUT_MS = 120_000;
const SLOW_REQUESTS: ReadonlySet<ClientRequestType> = new Set(['add-account', 'test-account', 'retry-login', 'get-body', 'update-account']);

/** How long a request to the helper may take before it fails with a timeout. */
export function requestTimeoutMs(type: ClientRequestType): number {
  return SLOW_REQUESTS.has(type) ? SLOW_REQUEST_TIMEOUT_MS : type === 'ping' ? PING_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
}

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(): void;
}
export interface SocketLike {
  send(data: string): void;
  close(): void;
}
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The browser's WebSocket behind SocketLike; an `error` is always followed by `close`, so only that counts. */
export const browserSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.open();
  ws.onmessage = (event) => {
    if (typeof event.data === 'string') handlers.message(event.data);
  };
  ws.onclose = () => handlers.close();
  return { send: (data) => ws.send(data), close: () => ws.close() };
};

/** A failed request: `message` is meant for the user as it is (the helper's own words when it sent them). */
export class HelperError extends UserError {
  constructor(
    readonly code: ErrorCode | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'HelperError';
  }
}

/** Backoff before retry number `attempt` (0-based): doubling from 1 s, capped, with equal jitter. */
export function backoffDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The commands that start and pair the helper, shown as they are typed (never translated). */
export const HELPER_COMMANDS = { start: 'npm start', startHelper: 'npm run helper start', pair: 'npm run helper pair' } as const;

export function startHelperHint(): string {
  return t('startHelperHint', HELPER_COMMANDS.start, HELPER_COMMANDS.startHelper);
}

/** Which side to update, said in the UI language (the helper says the same in English in its refusals). */
export function versionMismatchText(helperProtocol: number, extensionProtocol: number): string {
  return t(helperProtocol < extensionProtocol ? 'versionMismatchUpdateHelper' : 'versionMismatchUpdateExtension', helperProtocol, extensionProtocol);
}

export interface ConnectionDeps {
  createSocket: SocketFactory;
  clock: Clock;
  random: () => number;
  tokens: TokenStore;
  clientName: string;
  address: string;
  emit: (event: StoreEvent) => void;
}

type Payload<T extends ClientRequestType> = Omit<ClientRequest<T>, 'type' | 'id'>;

interface Pending {
  type: ClientRequestType;
  /** Runs in the same task as the result frame, before any later frame is handled. */
  onResult?: () => void;
  resolve: (data: unknown) => void;
  reject: (error: HelperError) => void;
  timer: unknown;
}

interface Pairing {
  code: string;
  resolve: () => void;
  reject: (error: HelperError) => void;
}

/**
 * - `opening`: socket created, waiting for the helper's hello;
 * - `handshake`: auth or pair sent;
 * - `ready`: authenticated, events flow;
 * - `waiting`: helper unreachable, a retry is scheduled;
 * - `parked`: nothing to do until the user acts or the alarm wakes us (not paired, version mismatch).
 */
type Stage = 'idle' | 'opening' | 'handshake' | 'ready' | 'waiting' | 'parked';

export class HelperConnection {
  #address: string;
  #stage: Stage = 'idle';
  #phase: ConnectionPhase = { phase: 'connecting' };
  #socket: SocketLike | undefined;
  /** Bumped for every socket; events from an older socket are ignored. */
  #generation = 0;
  #attempt = 0;
  #nextId = 0;
  readonly #pending = new Map<string, Pending>();
  #pairing: Pairing | undefined;
  #retryTimer: unknown;
  #handshakeTimer: unknown;
  #pingTimer: unknown;

  constructor(private readonly deps: ConnectionDeps) {
    this.#address = deps.address;
  }

  get address(): string {
    return this.#address;
  }

  get isReady(): boolean {
    return this.#stage === 'ready';
  }

  start(): void {
    if (this.#stage === 'idle') this.#connect();
  }

  /** For the alarm and for a popup being opened: retry now instead of waiting out the backoff. */
  wake(): void {
    if (this.#stage === 'idle' || this.#stage === 'waiting' || this.#stage === 'parked') this.#connect(false);
  }

  setAddress(address: string): void {
    if (address === this.#address) return;
    this.#address = address;
    this.#attempt = 0;
    if (this.#stage !== 'idle') this.#connect();
  }

  /** Pairs with a one-time code from the helper, stores the token, then reconnects with it. */
  pair(code: string): Promise<void> {
    this.#settlePairing(new HelperError('invalid', t('errorOtherPairing')));
    return new Promise<void>((resolve, reject) => {
      this.#pairing = { code, resolve, reject };
      this.#attempt = 0;
      this.#connect();
    });
  }

  /** Forgets the token; the connection then only checks that the helper is there. */
  async unpair(): Promise<void> {
    await this.deps.tokens.clear();
    this.deps.emit({ type: 'unpaired' });
    this.#connect();
  }

  request<T extends ClientRequestType>(type: T, payload: Payload<T>): Promise<ResultOf<T>> {
    if (this.#stage !== 'ready') return Promise.reject(new HelperError('not-connected', this.#notReadyMessage()));
    return this.#send(type, payload);
  }

  stop(): void {
    this.#drop();
    this.#stage = 'idle';
  }

  #notReadyMessage(): string {
    switch (this.#phase.phase) {
      case 'helper-down':
        return `${t('helperNotRunningSentence')} ${startHelperHint()}`;
      case 'not-paired':
        return t('errorNotPaired');
      case 'version-mismatch':
        return this.#phase.message;
      default:
        return t('errorStillConnecting');
    }
  }

  #setPhase(connection: ConnectionPhase, helperVersion?: string): void {
    this.#phase = connection;
    this.deps.emit({ type: 'phase', connection, helperVersion });
  }

  #send<T extends ClientRequestType>(type: T, payload: Payload<T>, onResult?: () => void): Promise<ResultOf<T>> {
    const socket = this.#socket;
    const id = `r${++this.#nextId}`;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      if (!socket) return reject(new HelperError('not-connected', this.#notReadyMessage()));
      const timer = this.deps.clock.setTimeout(() => {
        this.#pending.delete(id);
        reject(new HelperError('timeout', t('errorHelperTimeout')));
      }, requestTimeoutMs(type));
      this.#pending.set(id, { type, onResult, resolve: resolve as (data: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ type, id, ...payload }));
    });
  }

  /** Closes the current socket without treating it as a failure, and fails what was waiting on it. */
  #drop(): void {
    this.#generation++;
    const { clock } = this.deps;
    clock.clearTimeout(this.#retryTimer);
    clock.clearTimeout(this.#handshakeTimer);
    clock.clearTimeout(this.#pingTimer);
    this.#socket?.close();
    this.#socket = undefined;
    for (const [id, pending] of this.#pending) {
      clock.clearTimeout(pending.timer);
      pending.reject(new HelperError('not-connected', t('errorConnectionLost')));
      this.#pending.delete(id);
    }
  }

  /** `announce` shows "connecting"; retries and re-checks keep the current look instead of flickering. */
  #connect(announce = true): void {
    this.#drop();
    const generation = this.#generation;
    this.#stage = 'opening';
    if (announce) this.#setPhase({ phase: 'connecting' });
    this.#handshakeTimer = this.deps.clock.setTimeout(() => this.#fail(generation), HANDSHAKE_TIMEOUT_MS);
    const current = () => generation === this.#generation;
    try {
      this.#socket = this.deps.createSocket(this.#address, {
        open: () => undefined,
        message: (data) => current() && this.#onMessage(data, generation),
        close: () => current() && this.#fail(generation),
      });
    } catch {
      // A malformed address throws synchronously; the settings page refuses those, so treat it as down.
      this.#fail(generation);
    }
  }

  #park(connection: ConnectionPhase): void {
    this.#drop();
    this.#stage = 'parked';
    this.#setPhase(connection);
  }

  #fail(generation: number): void {
    if (generation !== this.#generation) return;
    const neverAnswered = this.#stage === 'opening';
    this.#drop();
    // A pairing whose socket closed mid-request learns that from its request instead.
    if (neverAnswered) this.#settlePairing(new HelperError('not-connected', `${t('errorHelperUnreachable', this.#address)} ${startHelperHint()}`));
    const delay = backoffDelay(this.#attempt++, this.deps.random);
    this.#stage = 'waiting';
    this.#setPhase({ phase: 'helper-down', retryAt: this.deps.clock.now() + delay });
    this.#retryTimer = this.deps.clock.setTimeout(() => this.#connect(false), delay);
  }

  #settlePairing(error?: HelperError): void {
    const pairing = this.#pairing;
    this.#pairing = undefined;
    if (error) pairing?.reject(error);
    else pairing?.resolve();
  }

  /**
   * The helper refused our auth or pair and is closing the socket. Handled here, in the same task
   * as the error frame, so the close that follows is not mistaken for "helper down".
   */
  #refused(code: 'bad-token' | 'version-mismatch', message: string): void {
    if (code === 'version-mismatch') {
      this.#settlePairing(new HelperError(code, message));
      return this.#park({ phase: 'version-mismatch', message });
    }
    this.deps.emit({ type: 'unpaired' });
    this.#park({ phase: 'not-paired', reason: message });
    void this.deps.tokens.clear();
  }

  #onMessage(raw: string, generation: number): void {
    const parsed = parseServerMessage(raw);
    if (!parsed.ok) return;
    const message = parsed.message;
    switch (message.type) {
      case 'hello':
        if (this.#stage === 'opening') void this.#onHello(message.protocol, message.helperVersion, generation);
        return;
      case 'result':
      case 'error': {
        const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
        if (!pending || message.id === undefined) return;
        this.#pending.delete(message.id);
        this.deps.clock.clearTimeout(pending.timer);
        if (message.type === 'error') {
          const handshake = pending.type === 'auth' || pending.type === 'pair';
          if (handshake && (message.code === 'bad-token' || message.code === 'version-mismatch')) return this.#refused(message.code, message.message);
          return pending.reject(new HelperError(message.code, message.message));
        }
        const data = parseResult(pending.type, message.data);
        if (data === undefined) return pending.reject(new HelperError('invalid', t('errorUnknownAnswer')));
        pending.onResult?.();
        return pending.resolve(data);
      }
      default:
        if (this.#stage === 'ready') this.deps.emit(message);
    }
  }

  async #onHello(protocol: number, helperVersion: string | undefined, generation: number): Promise<void> {
    // The helper answered, so it is running: no longer "down", whatever it was.
    this.#setPhase(this.#phase.phase === 'helper-down' ? { phase: 'connecting' } : this.#phase, helperVersion);
    if (protocol !== PROTOCOL_VERSION) return this.#refused('version-mismatch', versionMismatchText(protocol, PROTOCOL_VERSION));
    this.#stage = 'handshake';
    const pairing = this.#pairing;
    if (pairing) {
      try {
        const { token } = await this.#send('pair', { protocol: PROTOCOL_VERSION, code: pairing.code, clientName: this.deps.clientName });
        await this.deps.tokens.set(token);
        if (this.#pairing === pairing) this.#settlePairing();
      } catch (error) {
        if (this.#pairing === pairing) this.#settlePairing(error instanceof HelperError ? error : new HelperError('internal', t('errorPairingFailed')));
      }
      // Start clean: authenticate with the stored token (or settle as not paired) on a fresh socket.
      if (generation === this.#generation) this.#connect();
      return;
    }
    const token = await this.deps.tokens.get();
    if (generation !== this.#generation) return;
    if (!token) return this.#park({ phase: 'not-paired' });
    // The helper sends its snapshots right behind the auth result: be ready before the next frame.
    this.#send('auth', { protocol: PROTOCOL_VERSION, token }, () => this.#ready(generation)).then(
      // The helper names its version only to an authenticated client (not in hello).
      ({ helperVersion }) => helperVersion && generation === this.#generation && this.#setPhase(this.#phase, helperVersion),
      () => this.#fail(generation),
    );
  }

  #ready(generation: number): void {
    this.deps.clock.clearTimeout(this.#handshakeTimer);
    this.#stage = 'ready';
    this.#attempt = 0;
    this.#phase = { phase: 'connected' };
    this.deps.emit({ type: 'authenticated' });
    this.#ping(generation, true);
  }

  /**
   * The first ping after auth doubles as a sync marker: the helper answers in order, so by its
   * result every snapshot sent after auth has arrived.
   */
  #ping(generation: number, first = false): void {
    this.#send('ping', {}).then(
      () => {
        if (generation !== this.#generation) return;
        if (first) this.deps.emit({ type: 'synced' });
        this.#pingTimer = this.deps.clock.setTimeout(() => this.#ping(generation), PING_INTERVAL_MS);
      },
      () => this.#fail(generation),
    );
  }
}
