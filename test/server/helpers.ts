/**
 * Test plumbing for the socket server: a helper on a free loopback port with a fake MailService,
 * real token and pairing files in a temp folder, every log line captured; and WebSocket clients
 * that set Origin and Host explicitly and wait for frames with bounded timeouts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, parseServerMessage, type ServerMessage } from '../../protocol';
import type { AccountSnapshot } from '../../helper/accounts/mail-service';
import { PairingCodes } from '../../helper/server/pairing';
import { startHelperServer, type HelperServer, type HelperServerOptions } from '../../helper/server/socket-server';
import { TokenStore } from '../../helper/server/tokens';
import { FakeMailService } from './fake-mail-service';
import { withTimeout } from '../harness/wait';
import { recordSecret, testLogger } from '../harness/test-log';

type PairingOptions = ConstructorParameters<typeof PairingCodes>[0];

export { withTimeout };

export const EXTENSION_ORIGIN = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`;

// ---------------------------------------------------------------- logs and secrets

/** Everything logged in this test file, and every secret that must never appear in it. */
const logText: string[] = [];
const secrets = new Set<string>();
const logWaiters = new Set<{ match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }>();

export function rememberSecret(secret: string): void {
  secrets.add(secret);
  recordSecret(secret);
}

/** Lines also go to the suite-wide log that scripts/check-test-logs.mjs reads. */
const suiteLog = testLogger('server');

export function createCapturingLogger(): Logger {
  return pino(
    { level: 'trace' },
    {
      write(chunk: string) {
        logText.push(chunk);
        suiteLog.info({ captured: chunk.trimEnd() }, 'server log line');
        const line = JSON.parse(chunk) as Record<string, unknown>;
        for (const waiter of logWaiters) {
          if (waiter.match(line)) {
            logWaiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      },
    },
  );
}

/** Resolves with the first log line from now on that matches. */
export function nextLogLine(match: (line: Record<string, unknown>) => boolean, ms: number, what: string): Promise<Record<string, unknown>> {
  return withTimeout(new Promise((resolve) => logWaiters.add({ match, resolve })), ms, what);
}

export function loggedText(): string {
  return logText.join('');
}

/** For afterAll: no token, pairing code or password was ever logged (in any spelling of the code). */
export function expectNoSecretsLogged(): void {
  const text = loggedText();
  expect(text.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(text.includes(secret), `a secret was logged: ${secret.slice(0, 3)}…`).toBe(false);
    expect(text.includes(secret.replace('-', '')), `a secret was logged: ${secret.slice(0, 3)}…`).toBe(false);
  }
}

// ---------------------------------------------------------------- the server under test

export interface TestHelper {
  server: HelperServer;
  port: number;
  mail: FakeMailService;
  tokens: TokenStore;
  pairing: PairingCodes;
  dir: string;
  /** A fresh token for a client (of EXTENSION_ORIGIN unless told), remembered as a secret. */
  issueToken(label?: string, origin?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestHelper(
  options: { snapshots?: AccountSnapshot[]; guessRate?: PairingOptions['guessRate'] } & Partial<Omit<HelperServerOptions, 'mail' | 'tokens' | 'pairing' | 'logger'>> = {},
): Promise<TestHelper> {
  const { snapshots, guessRate, ...serverOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'helper-server-'));
  const mail = new FakeMailService(snapshots ?? []);
  const tokens = new TokenStore({ file: join(dir, 'tokens.json') });
  const pairing = new PairingCodes({ file: join(dir, 'pairing.json'), ...(guessRate ? { guessRate } : {}) });
  const server = await startHelperServer({
    port: 0,
    hosts: ['127.0.0.1'],
    helperVersion: '0.1.0-test',
    ...serverOptions,
    mail,
    tokens,
    pairing,
    logger: createCapturingLogger(),
  });
  return {
    server,
    port: server.port,
    mail,
    tokens,
    pairing,
    dir,
    async issueToken(label = 'test client', origin = EXTENSION_ORIGIN) {
      const { token } = await tokens.issue(label, origin);
      rememberSecret(token);
      return token;
    },
    async stop() {
      await server.close();
      // The helper records token use after answering; let that write land before the folder goes.
      await tokens.list();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- clients

export interface ConnectOptions {
  /** Origin header; `undefined` sends none. Defaults to a Chrome extension origin. */
  origin?: string | undefined;
  /** Host header; defaults to 127.0.0.1:PORT. */
  host?: string;
  /** Address to dial; defaults to 127.0.0.1. */
  address?: string;
}

export class TestClient {
  /** Every frame received, in order. */
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<{ match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }>();
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the helper sent a binary frame');
      const parsed = parseServerMessage(data.toString());
      if (!parsed.ok) throw new Error(`the helper sent an invalid frame: ${parsed.error.message}`);
      this.received.push(parsed.message);
      for (const waiter of this.waiters) {
        if (waiter.match(parsed.message)) {
          this.waiters.delete(waiter);
          waiter.resolve(parsed.message);
        }
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The first frame matching, already received or still to come. */
  waitFor<T extends ServerMessage = ServerMessage>(match: (m: ServerMessage) => boolean, ms = 5000, what = 'a frame'): Promise<T> {
    const already = this.received.find(match);
    if (already) return Promise.resolve(already as T);
    return this.waitForNext(match, ms, what);
  }

  /** The first matching frame from now on. */
  waitForNext<T extends ServerMessage = ServerMessage>(match: (m: ServerMessage) => boolean, ms = 5000, what = 'a frame'): Promise<T> {
    return withTimeout(new Promise<T>((resolve) => this.waiters.add({ match, resolve: resolve as (m: ServerMessage) => void })), ms, what);
  }

  /** Sends a request with a fresh id and waits for its result or error. */
  async request(message: Record<string, unknown>, ms = 5000): Promise<ServerMessage> {
    const id = `r${this.nextId++}`;
    const reply = this.waitForNext((m) => (m.type === 'result' || m.type === 'error') && m.id === id, ms, `the reply to ${String(message.type)}`);
    this.ws.send(JSON.stringify({ ...message, id }));
    return reply;
  }

  auth(token: string, protocol = PROTOCOL_VERSION): Promise<ServerMessage> {
    return this.request({ type: 'auth', protocol, token });
  }

  /** Only the frames that carry mail data: must stay empty for a client that never authenticated. */
  mailFrames(): ServerMessage[] {
    return this.received.filter((m) => m.type === 'snapshot' || m.type === 'delta' || m.type === 'account' || m.type === 'account-removed' || m.type === 'result');
  }

  close(): void {
    this.ws.terminate();
  }
}

function headersFor(port: number, options: ConnectOptions): { headers: Record<string, string>; url: string } {
  const address = options.address ?? '127.0.0.1';
  const headers: Record<string, string> = { Host: options.host ?? `${address.includes(':') ? `[${address}]` : address}:${port}` };
  const origin = 'origin' in options ? options.origin : EXTENSION_ORIGIN;
  if (origin !== undefined) headers.Origin = origin;
  return { headers, url: `ws://${address.includes(':') ? `[${address}]` : address}:${port}/` };
}

/** Opens a connection and waits for hello. */
export async function connect(port: number, options: ConnectOptions = {}): Promise<TestClient> {
  const { headers, url } = headersFor(port, options);
  const ws = new WebSocket(url, { headers });
  const client = new TestClient(ws);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    5000,
    'the connection to open',
  );
  await client.waitFor((m) => m.type === 'hello', 5000, 'hello');
  return client;
}

/** Connects, authenticates and waits until the helper counts the client among those getting events. */
export async function connectAuthenticated(helper: TestHelper, token: string): Promise<TestClient> {
  const client = await connect(helper.port);
  const reply = await client.auth(token);
  expect(reply.type).toBe('result');
  return client;
}

/** Attempts an upgrade that must be refused: resolves with the HTTP status, and the frames that arrived (none). */
export async function expectUpgradeRefused(port: number, options: ConnectOptions): Promise<number> {
  const { headers, url } = headersFor(port, options);
  const ws = new WebSocket(url, { headers });
  const frames: unknown[] = [];
  ws.on('message', (data) => frames.push(data));
  const status = await withTimeout(
    new Promise<number>((resolve, reject) => {
      // With this listener ws leaves the refused request to us: read the answer, drop the socket.
      ws.once('unexpected-response', (request, response) => {
        response.resume();
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
    }),
    5000,
    'the refusal',
  );
  expect(frames).toEqual([]);
  return status;
}
