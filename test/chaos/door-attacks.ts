/**
 * Attacks on the helper's door from a local process that fakes an extension Origin: a flood of
 * unauthenticated sockets sending pair frames and 250 KB of junk as fast as their sockets take
 * them (reconnecting whenever the helper cuts one off), pairing-code guessers, and the probe of
 * a paired client whose service must not suffer. Used against the in-process server
 * (test/server/fuzz.test.ts) and against the built helper process (the door scenario).
 */
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../protocol';
import { withTimeout } from '../harness/wait';
import { EXTENSION_ORIGIN } from './attacks';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** No worker opens more connections than this, whatever happens. */
const MAX_CONNECTIONS_PER_WORKER = 100_000;

export interface FloodStats {
  connections: number;
  /** Connections the helper ended (cut off or closed), not us. */
  endedByHelper: number;
  /** Types of the frames received, counted. */
  received: Record<string, number>;
  /** Frames that were neither hello nor error: anything here is a leak. */
  leaks: string[];
  framesSent: number;
}

export interface Attack<T> {
  /** Resolves once `condition` holds on the stats (checked after every change), or rejects after `ms`. */
  until(condition: (stats: T) => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<T>;
}

function randomCode(random: () => number): string {
  const symbols = Array.from({ length: 8 }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]);
  return `${symbols.slice(0, 4).join('')}-${symbols.slice(4).join('')}`;
}

function open(port: number): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Origin: EXTENSION_ORIGIN }, perMessageDeflate: false });
}

/** Stats shared by workers, with waiters woken on every change. */
function tracked<T>(stats: T): { stats: T; changed(): void; until: Attack<T>['until'] } {
  const waiters = new Set<() => void>();
  return {
    stats,
    changed: () => {
      for (const wake of waiters) wake();
    },
    until(condition, ms, what) {
      if (condition(stats)) return Promise.resolve();
      let wake = () => undefined as void;
      return withTimeout(new Promise<void>((resolve) => {
        wake = () => condition(stats) && resolve();
        waiters.add(wake);
      }), ms, what).finally(() => waiters.delete(wake));
    },
  };
}

/** One socket's life: resolves when it closes, with whether the helper ended it. */
function socketLife(ws: WebSocket, isStopping: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    ws.on('error', () => undefined);
    ws.once('unexpected-response', (request) => {
      request.destroy();
      resolve(true);
    });
    ws.once('close', () => resolve(!isStopping()));
  });
}

/**
 * `sockets` workers, each on one unauthenticated socket at a time, sending alternately a pair
 * frame with a random code and `junkBytes` of junk text, each as soon as the last was written.
 */
export function startPreAuthFlood(port: number, options: { sockets: number; random: () => number; junkBytes?: number }): Attack<FloodStats> {
  const t = tracked<FloodStats>({ connections: 0, endedByHelper: 0, received: {}, leaks: [], framesSent: 0 });
  const { stats } = t;
  const junk = 'j'.repeat(options.junkBytes ?? 250_000);
  let stopping = false;
  const live = new Set<WebSocket>();
  const worker = async () => {
    for (let n = 0; n < MAX_CONNECTIONS_PER_WORKER && !stopping; n++) {
      const ws = open(port);
      live.add(ws);
      stats.connections += 1;
      ws.on('message', (data) => {
        let type = 'unparseable';
        try {
          type = String((JSON.parse(data.toString()) as { type?: unknown }).type);
        } catch {
          // counted as unparseable
        }
        stats.received[type] = (stats.received[type] ?? 0) + 1;
        if (type !== 'hello' && type !== 'error') stats.leaks.push(type);
        t.changed();
      });
      const pump = (i: number) => {
        if (stopping || ws.readyState !== WebSocket.OPEN) return;
        const frame = i % 2 === 0 ? JSON.stringify({ type: 'pair', id: `p${i}`, protocol: PROTOCOL_VERSION, code: randomCode(options.random), clientName: 'flood' }) : junk;
        ws.send(frame, (err) => {
          if (err) return;
          stats.framesSent += 1;
          pump(i + 1);
        });
      };
      ws.once('open', () => pump(0));
      const endedByHelper = await socketLife(ws, () => stopping);
      live.delete(ws);
      if (endedByHelper) stats.endedByHelper += 1;
      t.changed();
    }
  };
  const workers = Array.from({ length: options.sockets }, worker);
  return {
    until: t.until,
    async stop() {
      stopping = true;
      for (const ws of live) ws.terminate();
      await Promise.all(workers);
      return stats;
    },
  };
}

export interface GuessStats {
  guesses: number;
  /** Answers by error code (or `result`: a guess that won, which must never happen). */
  answers: Record<string, number>;
  connections: number;
}

/** `sockets` workers guessing codes: 3 on each connection (the helper's limit), then a new one. */
export function startGuessers(port: number, options: { sockets: number; random: () => number }): Attack<GuessStats> {
  const t = tracked<GuessStats>({ guesses: 0, answers: {}, connections: 0 });
  const { stats } = t;
  let stopping = false;
  const live = new Set<WebSocket>();
  const worker = async () => {
    for (let n = 0; n < MAX_CONNECTIONS_PER_WORKER && !stopping; n++) {
      const ws = open(port);
      live.add(ws);
      stats.connections += 1;
      let attempts = 0;
      const guess = () => {
        if (stopping || attempts >= 3) return ws.close();
        attempts += 1;
        ws.send(JSON.stringify({ type: 'pair', id: `g${attempts}`, protocol: PROTOCOL_VERSION, code: randomCode(options.random), clientName: 'guesser' }));
      };
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; code?: string };
        if (message.type === 'hello') return guess();
        const answer = message.type === 'error' ? (message.code ?? 'error') : message.type;
        stats.answers[answer] = (stats.answers[answer] ?? 0) + 1;
        stats.guesses += 1;
        t.changed();
        guess();
      });
      await socketLife(ws, () => stopping);
      live.delete(ws);
    }
  };
  const workers = Array.from({ length: options.sockets }, worker);
  return {
    until: t.until,
    async stop() {
      stopping = true;
      for (const ws of live) ws.terminate();
      await Promise.all(workers);
      return stats;
    },
  };
}

/** Frames of one exchange with the helper, answered in order. */
class Exchange {
  private readonly frames: { type: string; id?: string; code?: string; data?: Record<string, unknown> }[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Exchange['frames'][number]);
      for (const wake of this.waiters) wake();
    });
  }

  next(match: (f: Exchange['frames'][number]) => boolean, ms: number, what: string) {
    const found = () => this.frames.find(match);
    if (found()) return Promise.resolve(found()!);
    let wake = () => undefined as void;
    return withTimeout(new Promise<Exchange['frames'][number]>((resolve) => {
      wake = () => {
        const frame = found();
        if (frame) resolve(frame);
      };
      this.waiters.add(wake);
    }), ms, what).finally(() => this.waiters.delete(wake));
  }
}

/** A paired extension: connect, auth, ping. Resolves with the time from connect to the ping's answer. */
export async function pairedClientServed(port: number, token: string, ms = 30_000): Promise<{ ms: number; ws: WebSocket }> {
  const started = Date.now();
  const ws = open(port);
  const exchange = new Exchange(ws);
  ws.on('error', () => undefined);
  await exchange.next((f) => f.type === 'hello', ms, 'hello for the paired client');
  ws.send(JSON.stringify({ type: 'auth', id: 'auth', protocol: PROTOCOL_VERSION, token }));
  const auth = await exchange.next((f) => f.id === 'auth', ms, 'the answer to auth');
  if (auth.type !== 'result') throw new Error(`auth refused: ${auth.code}`);
  ws.send(JSON.stringify({ type: 'ping', id: 'ping' }));
  const ping = await exchange.next((f) => f.id === 'ping', ms, 'the answer to ping');
  if (ping.type !== 'result') throw new Error(`ping refused: ${ping.code}`);
  return { ms: Date.now() - started, ws };
}

/** The real user typing the code the helper printed: resolves with the reply and how long it took. */
export async function pairAs(port: number, code: string, clientName: string, ms = 30_000): Promise<{ ms: number; token?: string; error?: string }> {
  const started = Date.now();
  const ws = open(port);
  const exchange = new Exchange(ws);
  ws.on('error', () => undefined);
  try {
    await exchange.next((f) => f.type === 'hello', ms, 'hello for the user');
    ws.send(JSON.stringify({ type: 'pair', id: 'pair', protocol: PROTOCOL_VERSION, code, clientName }));
    const reply = await exchange.next((f) => f.id === 'pair', ms, 'the answer to pair');
    const token = reply.type === 'result' ? (reply.data as { token?: string } | undefined)?.token : undefined;
    return { ms: Date.now() - started, ...(token ? { token } : { error: reply.code }) };
  } finally {
    ws.terminate();
  }
}
