import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, versionMismatchMessage, type ServerMessage } from '../../protocol';
import { join } from 'node:path';
import { PortInUseError, startHelperServer } from '../../helper/server/socket-server';
import { TokenStore } from '../../helper/server/tokens';
import { makeAccount, makePreview } from './fake-mail-service';
import {
  EXTENSION_ORIGIN,
  connect,
  connectAuthenticated,
  createCapturingLogger,
  expectNoSecretsLogged,
  expectUpgradeRefused,
  loggedText,
  nextLogLine,
  rememberSecret,
  startTestHelper,
  withTimeout,
  type TestHelper,
} from './helpers';

const snapshots = [
  { account: makeAccount('work', { unreadCount: 1 }), previews: [makePreview(1)] },
  { account: makeAccount('home'), previews: [] },
];
const delta = { accountId: 'work', added: [makePreview(2)], removed: [], notify: [{ mailbox: 'INBOX', uidValidity: 7, uid: 2 }], unreadCount: 2 };

let helper: TestHelper | undefined;
async function start(options: Parameters<typeof startTestHelper>[0] = {}): Promise<TestHelper> {
  helper = await startTestHelper({ snapshots, ...options });
  return helper;
}
afterEach(async () => {
  await helper?.stop();
  helper = undefined;
});
afterAll(() => expectNoSecretsLogged());

const errorOf = (m: ServerMessage) => (m.type === 'error' ? m : undefined);

describe('the upgrade', () => {
  it.each([
    ['a web page on localhost', { origin: 'http://localhost:1234' }, 'not a browser extension'],
    ['a web page anywhere', { origin: 'https://example.com' }, 'not a browser extension'],
    ['an opaque origin', { origin: 'null' }, 'null'],
    ['no Origin at all', { origin: undefined }, 'no Origin'],
  ])('refuses %s with 403 and no frame', async (_what, options, reason) => {
    const { port } = await start();
    const refusal = nextLogLine((l) => l.msg === 'connection refused', 2000, 'the refusal log');
    expect(await expectUpgradeRefused(port, options)).toBe(403);
    const line = await refusal;
    expect(line.reason).toContain(reason);
    expect(line.origin).toBe(options.origin);
  });

  it('refuses a rebound DNS name in Host, even from an extension', async () => {
    const { port } = await start();
    expect(await expectUpgradeRefused(port, { host: `evil.example:${port}` })).toBe(403);
    expect(await expectUpgradeRefused(port, { host: `127.0.0.1:${port + 1}` })).toBe(403);
  });

  it('answers plain HTTP with an empty 426', async () => {
    const { port } = await start();
    const { status, body, cors } = await withTimeout(
      new Promise<{ status: number; body: string; cors: unknown }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { Origin: 'https://example.com' } }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cors: res.headers['access-control-allow-origin'] }));
        });
        req.on('error', reject);
        req.end();
      }),
      5000,
      'the HTTP answer',
    );
    expect({ status, body, cors }).toEqual({ status: 426, body: '', cors: undefined });
  });

  it('accepts Host localhost:PORT from a Firefox extension', async () => {
    const { port } = await start();
    const client = await connect(port, { host: `localhost:${port}`, origin: 'moz-extension://0b3c5d2e-8f41-4a6b-9c7d-1e2f3a4b5c6d' });
    client.close();
  });
});

describe('before authentication', () => {
  it('sends hello with the protocol number only, and nothing but errors until auth', async () => {
    const { port } = await start();
    const client = await connect(port);
    expect(client.received).toEqual([{ type: 'hello', protocol: PROTOCOL_VERSION }]);
    for (const message of [{ type: 'ping' }, { type: 'get-body', accountId: 'work', key: { mailbox: 'INBOX', uidValidity: 7, uid: 1 }, markSeen: false }, { type: 'mark-all-read', accountId: 'work' }]) {
      expect(await client.request(message)).toMatchObject({ type: 'error', code: 'unauthenticated' });
    }
    helper!.mail.emit('delta', delta);
    expect(await client.request({ type: 'ping' })).toMatchObject({ code: 'unauthenticated' });
    expect(client.mailFrames()).toEqual([]);
    expect(helper!.mail.calls).toEqual([]);
    client.close();
  });

  it('closes a client that does not authenticate in time', async () => {
    const { port } = await start({ authTimeoutMs: 100 });
    const client = await connect(port);
    const { code } = await withTimeout(client.closed, 5000, 'the close');
    expect(code).toBe(1008);
    expect(client.received.map(errorOf).find(Boolean)).toMatchObject({ code: 'unauthenticated' });
    expect(client.mailFrames()).toEqual([]);
  });

  it('refuses a wrong token and closes', async () => {
    const { port } = await start();
    await helper!.issueToken();
    const client = await connect(port);
    const wrong = 'A'.repeat(43);
    expect(await client.auth(wrong)).toMatchObject({ type: 'error', code: 'bad-token' });
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1008);
    expect(client.mailFrames()).toEqual([]);
  });

  it('refuses a revoked token', async () => {
    const { port, tokens } = await start();
    const token = await helper!.issueToken();
    const [entry] = await tokens.list();
    await tokens.revoke(entry.id);
    const client = await connect(port);
    expect(await client.auth(token)).toMatchObject({ type: 'error', code: 'bad-token' });
    await withTimeout(client.closed, 5000, 'the close');
    expect(client.mailFrames()).toEqual([]);
  });

  it.each([
    [PROTOCOL_VERSION + 1, 'update the helper'],
    [PROTOCOL_VERSION - 1, 'update the extension'],
  ])('answers protocol %i with version-mismatch and closes', async (protocol, advice) => {
    const { port } = await start();
    const token = await helper!.issueToken();
    const client = await connect(port);
    const reply = await client.auth(token, protocol);
    expect(reply).toMatchObject({ type: 'error', code: 'version-mismatch', message: versionMismatchMessage(PROTOCOL_VERSION, protocol) });
    expect(errorOf(reply)?.message).toContain(advice);
    await withTimeout(client.closed, 5000, 'the close');
    expect(client.mailFrames()).toEqual([]);
  });
});

describe('after authentication', () => {
  it('replies, then sends a snapshot per account, then forwards every event', async () => {
    const { port, mail } = await start();
    const token = await helper!.issueToken('Chrome');
    const authenticated = nextLogLine((l) => l.msg === 'authenticated', 2000, 'the auth log');
    const client = await connect(port);
    const reply = await client.auth(token);
    expect(await authenticated).toMatchObject({ label: 'Chrome' });
    await client.waitFor((m) => m.type === 'snapshot' && m.account.id === 'home');
    expect(client.received.slice(1)).toEqual([
      { type: 'result', id: errorOf(reply) ? 'unexpected' : (reply as { id: string }).id, data: { helperVersion: '0.1.0-test' } },
      { type: 'snapshot', ...snapshots[0] },
      { type: 'snapshot', ...snapshots[1] },
    ]);
    expect(helper!.server.clients()).toBe(1);

    mail.emit('delta', delta);
    mail.emit('account', makeAccount('home', { state: 'backoff' }));
    mail.emit('snapshot', { account: makeAccount('home'), previews: [makePreview(9)] });
    mail.emit('account-removed', 'home');
    await client.waitFor((m) => m.type === 'account-removed');
    expect(client.received.slice(4).map((m) => m.type)).toEqual(['delta', 'account', 'snapshot', 'account-removed']);
    expect(client.received[4]).toEqual({ type: 'delta', ...delta });
    client.close();
  });

  it('handles frames sent right after auth only once auth is done', async () => {
    const { port } = await start();
    const token = await helper!.issueToken();
    const client = await connect(port);
    client.ws.send(JSON.stringify({ type: 'auth', id: 'a', protocol: PROTOCOL_VERSION, token }));
    client.ws.send(JSON.stringify({ type: 'ping', id: 'p' }));
    expect(await client.waitFor((m) => m.type !== 'hello' && 'id' in m && m.id === 'p')).toMatchObject({ type: 'result', data: { at: expect.any(Number) } });
    client.close();
  });

  it('serves requests through the MailService', async () => {
    const { mail } = await start();
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    const key = { mailbox: 'INBOX', uidValidity: 7, uid: 1 };
    expect(await client.request({ type: 'get-body', accountId: 'work', key, markSeen: false })).toMatchObject({ type: 'result', data: { text: 'Body of 1' } });
    expect(await client.request({ type: 'archive', accountId: 'nope', key })).toMatchObject({ type: 'error', code: 'not-found' });
    mail.failNext = new Error('socket hang up');
    expect(await client.request({ type: 'retry-login', accountId: 'work' })).toMatchObject({ type: 'error', code: 'internal' });
    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'result' });
    expect(await client.request({ type: 'auth', protocol: PROTOCOL_VERSION, token: 'x' })).toMatchObject({ type: 'error', code: 'invalid' });
    client.close();
  });

  it('closes open connections of a token the moment it is revoked', async () => {
    const { tokens, mail } = await start();
    const revokedToken = await helper!.issueToken('old laptop');
    const keptToken = await helper!.issueToken('desktop');
    const revokedClient = await connectAuthenticated(helper!, revokedToken);
    const keptClient = await connectAuthenticated(helper!, keptToken);
    const id = (await tokens.list()).find((t) => t.label === 'old laptop')!.id;
    expect(await tokens.revoke(id)).toMatchObject({ ok: true });
    expect((await withTimeout(revokedClient.closed, 5000, 'the close')).code).toBe(1008);
    expect(revokedClient.received.at(-1)).toMatchObject({ type: 'error', code: 'bad-token' });
    mail.emit('delta', delta);
    await keptClient.waitFor((m) => m.type === 'delta');
    expect(revokedClient.received.some((m) => m.type === 'delta')).toBe(false);
    keptClient.close();
  });
});

describe('pairing over the socket', () => {
  it('trades a code for a token once, and the token then authenticates', async () => {
    const { port, pairing, tokens } = await start();
    const { code } = await pairing.create();
    rememberSecret(code);
    const first = await connect(port);
    const reply = await first.request({ type: 'pair', protocol: PROTOCOL_VERSION, code: code.replace('-', '').toLowerCase(), clientName: 'Firefox on desk' });
    expect(reply).toMatchObject({ type: 'result', data: { token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) } });
    const token = (reply as { data: { token: string } }).data.token;
    rememberSecret(token);
    await first.waitFor((m) => m.type === 'snapshot' && m.account.id === 'home');
    expect((await tokens.list()).map((t) => t.label)).toEqual(['Firefox on desk']);

    const second = await connect(port);
    expect(await second.request({ type: 'pair', protocol: PROTOCOL_VERSION, code, clientName: 'thief' })).toMatchObject({ type: 'error', code: 'bad-pairing-code' });
    expect(second.mailFrames()).toEqual([]);

    const third = await connect(port);
    expect(await third.auth(token)).toMatchObject({ type: 'result' });
    await third.waitFor((m) => m.type === 'snapshot');
    for (const client of [first, second, third]) client.close();
  });

  it('pairs the user at the first try within 10 s while 20 connections guess codes as fast as they can', async () => {
    const { port, pairing, tokens } = await start();
    const { code } = await pairing.create();
    rememberSecret(code);
    let stop = false;
    let guesses = 0;
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    // Each guesser makes its 3 attempts per connection, then opens another, until the user is in.
    const guessers = Array.from({ length: 20 }, async () => {
      for (let connection = 0; connection < 100 && !stop; connection++) {
        const client = await connect(port);
        for (let i = 0; i < 3 && !stop; i++) {
          const reply = await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code: wrong, clientName: 'guesser' }, 30_000);
          expect(reply).toMatchObject({ type: 'error', code: 'bad-pairing-code' });
          guesses += 1;
        }
        expect(client.mailFrames()).toEqual([]);
        client.close();
      }
    });
    const user = await connect(port);
    const started = Date.now();
    let reply: ServerMessage;
    let tookMs: number;
    try {
      reply = await user.request({ type: 'pair', protocol: PROTOCOL_VERSION, code, clientName: 'Chrome' }, 10_000);
      tookMs = Date.now() - started;
    } finally {
      stop = true;
      await Promise.all(guessers);
    }
    expect(reply).toMatchObject({ type: 'result', data: { token: expect.any(String) } });
    rememberSecret((reply as { data: { token: string } }).data.token);
    expect(tookMs).toBeLessThan(10_000);
    expect(guesses).toBeGreaterThan(0);
    expect((await tokens.list()).map((t) => t.label)).toEqual(['Chrome']);
    user.close();
  });

  it('ends a connection after 3 pairing attempts', async () => {
    const { port } = await start();
    const client = await connect(port);
    for (let i = 0; i < 3; i++) {
      expect(await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code: 'AAAA-AAAA', clientName: 'x' })).toMatchObject({ code: 'bad-pairing-code' });
    }
    expect(await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code: 'AAAA-AAAA', clientName: 'x' })).toMatchObject({ code: 'rate-limited' });
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1008);
  });

  it('keeps a client name with terminal escapes and line breaks as one clean line', async () => {
    const { port, pairing, tokens } = await start();
    const { code } = await pairing.create();
    rememberSecret(code);
    const client = await connect(port);
    const clientName = '\u001b[2J\u001b[HChrome\r\n0123456789ab  Trusted laptop  paired 2020\u0007';
    const reply = await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code, clientName });
    rememberSecret((reply as { data: { token: string } }).data.token);
    const [entry] = await tokens.list();
    expect(entry.label).toBe('[2J [HChrome 0123456789ab Trusted laptop paired 2020');
    expect(loggedText()).not.toMatch(/\\u001b|\\r\\n0123/);
    client.close();
  });

  it('logs 1,000 wrong guesses in under 64 KiB: the first few in full, the rest as counts', async () => {
    const { port } = await start({ guessRate: { ratePerSecond: 100_000, burst: 100_000 }, refusalLog: { windowMs: 60_000 } });
    const before = loggedText().length;
    // 20 guessers × 17 connections × 3 guesses: 1,020 wrong guesses.
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let c = 0; c < 17; c++) {
        const client = await connect(port);
        for (let i = 0; i < 3; i++) await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code: 'AAAA-AAAA', clientName: 'guesser' });
        client.close();
      }
    }));
    // Stopping logs the counts still pending.
    await helper!.stop();
    helper = undefined;
    // What the helper writes at its level (info; this logger also keeps debug lines).
    const lines = loggedText().slice(before).split('\n').filter(Boolean).map((line) => ({ line, entry: JSON.parse(line) as Record<string, unknown> }));
    const written = lines.filter(({ entry }) => Number(entry.level) >= 30);
    expect(written.reduce((sum, { line }) => sum + line.length + 1, 0)).toBeLessThanOrEqual(64 * 1024);
    const refusals = written.filter(({ entry }) => String(entry.msg).startsWith('pairing refused'));
    const counted = refusals.reduce((sum, { entry }) => sum + (typeof entry.repeated === 'number' ? entry.repeated : 1), 0);
    expect(counted).toBe(1020);
  });
});

describe('revocation', () => {
  it('closes every socket of a token revoked by another process (the CLI) within 5 s', async () => {
    const { port, mail, dir } = await start({ tokenWatchMs: 200 });
    const token = await helper!.issueToken('old laptop');
    const keptToken = await helper!.issueToken('desktop');
    const sockets = [await connectAuthenticated(helper!, token), await connectAuthenticated(helper!, token)];
    const kept = await connectAuthenticated(helper!, keptToken);
    const cli = new TokenStore({ file: join(dir, 'tokens.json') });
    const id = (await cli.list()).find((t) => t.label === 'old laptop')!.id;
    const revokedAt = Date.now();
    expect(await cli.revoke(id)).toMatchObject({ ok: true });
    for (const socket of sockets) {
      expect((await withTimeout(socket.closed, 5000, 'the revoked socket to close')).code).toBe(1008);
      expect(socket.received.at(-1)).toMatchObject({ type: 'error', code: 'bad-token' });
    }
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    mail.emit('delta', delta);
    await kept.waitFor((m) => m.type === 'delta');
    const again = await connect(port);
    expect(await again.auth(token)).toMatchObject({ type: 'error', code: 'bad-token' });
    kept.close();
  });
});

describe('a token and its origin', () => {
  it('refuses a token from another extension origin than the one that paired it', async () => {
    const { port } = await start();
    const token = await helper!.issueToken('Chrome', EXTENSION_ORIGIN);
    const thief = await connect(port, { origin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba' });
    expect(await thief.auth(token)).toMatchObject({ type: 'error', code: 'bad-token' });
    await withTimeout(thief.closed, 5000, 'the close');
    expect(thief.mailFrames()).toEqual([]);
    const owner = await connect(port);
    expect(await owner.auth(token)).toMatchObject({ type: 'result' });
    owner.close();
  });
});

describe('budgets before authentication', () => {
  it('stops reading a connection that sends more than its byte budget before auth, before the frame is whole, and drops it at its auth deadline', async () => {
    const { port } = await start({ limits: { preAuthBytes: 4096 }, authTimeoutMs: 500 });
    const client = await connect(port);
    const cut = nextLogLine((l) => l.msg === 'connection cut off before auth', 5000, 'the cut-off');
    client.ws.send('x'.repeat(250_000));
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1006);
    expect(await cut).toMatchObject({ reason: 'more than 4096 bytes before auth' });
    expect(client.received.filter((m) => m.type !== 'hello')).toEqual([]);
  });

  it('stops reading a connection that sends too many frames before auth, and drops it', async () => {
    const { port } = await start({ limits: { preAuthFrames: 4 }, authTimeoutMs: 500 });
    const client = await connect(port);
    for (let i = 0; i < 10; i++) client.ws.send('{"type":"ping","id":"p"}');
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1006);
    expect(client.mailFrames()).toEqual([]);
  });

  it('makes room for a new connection by dropping the oldest unauthenticated one', async () => {
    const { port } = await start({ maxUnauthenticated: 3 });
    const waiting = [await connect(port), await connect(port), await connect(port)];
    const authenticated = await connectAuthenticated(helper!, await helper!.issueToken());
    const newcomer = await connect(port);
    expect((await withTimeout(waiting[0].closed, 5000, 'the oldest to close')).code).toBe(1006);
    expect(waiting[0].mailFrames()).toEqual([]);
    expect(await newcomer.auth(await helper!.issueToken())).toMatchObject({ type: 'result' });
    expect(await authenticated.request({ type: 'ping' })).toMatchObject({ type: 'result' });
    for (const client of [...waiting, authenticated, newcomer]) client.close();
  });
});

describe('the cap on unauthenticated connections', () => {
  it('counts the ones held after going over their budget: never more than the cap at once', async () => {
    const { port } = await start({ maxUnauthenticated: 3, limits: { preAuthBytes: 1024 }, authTimeoutMs: 60_000 });
    const clients = [];
    for (let i = 0; i < 10; i++) {
      const client = await connect(port);
      client.ws.send('x'.repeat(5000));
      clients.push(client);
    }
    await Promise.all(clients.slice(0, 7).map((c) => withTimeout(c.closed, 5000, 'an older one to be dropped')));
    expect(clients.slice(7).map((c) => c.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
    for (const client of clients) client.close();
  });
});

describe('the request queue of an authenticated client', () => {
  it('runs a few requests at once, queues a bounded number, answers the rest rate-limited, one reply each', async () => {
    const { mail } = await start({ limits: { concurrentRequests: 2, queuedRequests: 3 } });
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    const { release, entered } = mail.slowDown();
    const replies = Array.from({ length: 8 }, () => client.request({ type: 'retry-login', accountId: 'work' }, 10_000));
    const refused = await Promise.all(replies.slice(5));
    for (const reply of refused) expect(reply).toMatchObject({ type: 'error', code: 'rate-limited' });
    await entered(2);
    expect(mail.calls.filter((c) => c.method === 'retryLogin')).toHaveLength(2);
    release();
    for (const reply of await Promise.all(replies.slice(0, 5))) expect(reply).toMatchObject({ type: 'result' });
    expect(mail.calls.filter((c) => c.method === 'retryLogin')).toHaveLength(5);
    client.close();
  });

  it('drops the queued work of a client that has gone', async () => {
    const { mail } = await start({ limits: { concurrentRequests: 2, queuedRequests: 10 } });
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    const { release, entered } = mail.slowDown();
    for (let i = 0; i < 10; i++) client.ws.send(JSON.stringify({ type: 'retry-login', id: `q${i}`, accountId: 'work' }));
    await entered(2);
    client.ws.close();
    await withTimeout(client.closed, 5000, 'the close');
    release();
    const other = await connectAuthenticated(helper!, await helper!.issueToken());
    expect(await other.request({ type: 'ping' })).toMatchObject({ type: 'result' });
    expect(mail.calls.filter((c) => c.method === 'retryLogin')).toHaveLength(2);
    other.close();
  });
});

describe('frames the helper cannot use', () => {
  it('answers each with one clear error and keeps the connection', async () => {
    const { mail } = await start();
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    const errors: ServerMessage[] = [];
    const nextError = () => client.waitFor((m) => m.type === 'error' && !errors.includes(m)).then((m) => (errors.push(m), m));

    client.ws.send('{not json');
    expect(await nextError()).toMatchObject({ code: 'bad-json' });
    client.ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
    expect(await nextError()).toMatchObject({ code: 'bad-json', message: expect.stringContaining('Binary') });
    client.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect(await nextError()).toMatchObject({ code: 'bad-json' });
    client.ws.send(JSON.stringify({ type: 'steal-mail', id: 'u' }));
    expect(await nextError()).toMatchObject({ code: 'unknown-type', id: 'u' });
    client.ws.send(JSON.stringify({ type: 'archive', id: 'v', accountId: 'work' }));
    expect(await nextError()).toMatchObject({ code: 'invalid', id: 'v' });
    client.ws.send(JSON.stringify({ type: 'ping', id: 'w', padding: 'x'.repeat(70_000) }));
    expect(await nextError()).toMatchObject({ code: 'too-large' });

    expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'result' });
    expect(mail.calls).toEqual([]);
    client.close();
  });

  it('is cut off by ws (1009) past the payload limit, and the helper stays up', async () => {
    const { port } = await start();
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    client.ws.send('x'.repeat(1024 * 1024));
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1009);
    const other = await connect(port);
    other.close();
  });
});

describe('listening', () => {
  it('names the problem when the port is taken', async () => {
    const { port } = await start();
    const attempt = startHelperServer({ port, hosts: ['127.0.0.1'], mail: helper!.mail, tokens: helper!.tokens, pairing: helper!.pairing, logger: createCapturingLogger(), helperVersion: 'x' });
    await expect(attempt).rejects.toThrow(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${port} is in use: is another helper running? \`helper status\`, or start with --port`);
  });

  it('listens on loopback only', async () => {
    const { mail, tokens, pairing } = await start();
    for (const hosts of [['0.0.0.0'], ['127.0.0.1', '::'], ['192.168.1.2'], []]) {
      await expect(startHelperServer({ port: 0, hosts, mail, tokens, pairing, logger: createCapturingLogger(), helperVersion: 'x' })).rejects.toThrow(/loopback/);
    }
  });

  it('serves ::1 too when the machine has it', async (context) => {
    const hasIpv6 = await new Promise<boolean>((resolve) => {
      const probe = createNetServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: '::1', port: 0 }, () => probe.close(() => resolve(true)));
    });
    if (!hasIpv6) context.skip();
    const { port } = await start({ hosts: ['127.0.0.1', '::1'] });
    const token = await helper!.issueToken();
    const client = await connect(port, { address: '::1' });
    expect(await client.auth(token)).toMatchObject({ type: 'result' });
    expect(await expectUpgradeRefused(port, { address: '::1', origin: 'https://example.com' })).toBe(403);
    client.close();
  });

  it('close() says goodbye to clients and detaches from the MailService', async () => {
    const { mail } = await start();
    const client = await connectAuthenticated(helper!, await helper!.issueToken());
    expect(mail.listenerCount()).toBe(4);
    await helper!.server.close();
    expect((await withTimeout(client.closed, 5000, 'the close')).code).toBe(1001);
    expect(mail.listenerCount()).toBe(0);
    const ws = new WebSocket(`ws://127.0.0.1:${helper!.port}/`, { origin: EXTENSION_ORIGIN });
    await expect(withTimeout(new Promise((_r, reject) => ws.once('error', reject)), 5000, 'the refusal')).rejects.toThrow(/ECONNREFUSED/);
    helper = undefined;
  });
});
