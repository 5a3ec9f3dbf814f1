/**
 * The server over the REAL account registry and a real Dovecot: the password goes in over the
 * authenticated socket and never comes back out, and any number of browsers share exactly one
 * IMAP connection, all seeing the same counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../protocol';
import { AccountRegistry } from '../../helper/accounts/registry';
import { openSecretStore } from '../../helper/store/secrets';
import { PairingCodes } from '../../helper/server/pairing';
import { startHelperServer, type HelperServer } from '../../helper/server/socket-server';
import { TokenStore } from '../../helper/server/tokens';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { startProxy, type TcpProxy } from '../harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { testLogFn } from '../harness/test-log';
import { connect, createCapturingLogger, expectNoSecretsLogged, rememberSecret, type TestClient } from './helpers';

const USER = 'erin';
const PASS = 'fan-out-pass-31';

let dovecot: DovecotServer;
let proxy: TcpProxy;
let other: OtherDevice;
let dir: string;
let registry: AccountRegistry;
let server: HelperServer;
let tokens: TokenStore;
const clients: TestClient[] = [];

beforeAll(async () => {
  rememberSecret(PASS);
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }] });
  proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  dir = await mkdtemp(join(tmpdir(), 'mn-real-helper-'));
  const secrets = await openSecretStore({ configDir: join(dir, 'config'), prefer: 'file' });
  registry = await AccountRegistry.open({ configDir: join(dir, 'config'), stateDir: join(dir, 'state'), secrets, log: testLogFn('real-helper') });
  tokens = new TokenStore({ file: join(dir, 'tokens.json') });
  server = await startHelperServer({
    port: 0,
    hosts: ['127.0.0.1'],
    mail: registry,
    tokens,
    pairing: new PairingCodes({ file: join(dir, 'pairing.json') }),
    logger: createCapturingLogger(),
    helperVersion: 'test',
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  await registry?.close();
  await other?.close();
  await proxy?.close();
  await dovecot?.stop();
  await rm(dir, { recursive: true, force: true });
  expectNoSecretsLogged();
});

async function authenticatedClient(): Promise<TestClient> {
  const { token } = await tokens.issue('browser');
  rememberSecret(token);
  const client = await connect(server.port);
  clients.push(client);
  const reply = await client.auth(token);
  expect(reply.type).toBe('result');
  return client;
}

const unread = (m: ServerMessage) => (m.type === 'delta' ? m.unreadCount : m.type === 'snapshot' ? m.account.unreadCount : undefined);
const everything = (client: TestClient) => JSON.stringify(client.received);

describe('the helper with the real registry and Dovecot', () => {
  it('adds an account over the socket with one login; the password is never sent back', async () => {
    const first = await authenticatedClient();
    const second = await authenticatedClient();
    const reply = await first.request(
      { type: 'add-account', account: { kind: 'imap', host: '127.0.0.1', port: proxy.port, tls: false, username: USER, password: PASS } },
      15_000,
    );
    expect(reply.type).toBe('result');
    expect(proxy.connectionsTotal).toBe(1);
    await second.waitFor((m) => m.type === 'snapshot', 10_000, 'snapshot on the other browser');
    for (const client of [first, second]) expect(everything(client)).not.toContain(PASS);
  });

  it('two and then fifty browsers share exactly one IMAP connection and see the same counts', async () => {
    const early = clients.slice(0, 2);
    const late: TestClient[] = [];
    for (let i = 0; i < 48; i++) late.push(await authenticatedClient());
    await Promise.all(late.map((c) => c.waitFor((m) => m.type === 'snapshot', 10_000, 'snapshot')));
    const all = [...early, ...late];
    expect(all).toHaveLength(50);

    const uid = await other.append('INBOX', buildMessage({ subject: 'for everyone', text: 'fan-out' }));
    const deltas = await Promise.all(
      all.map((c) => c.waitFor((m) => m.type === 'delta' && m.notify.some((k) => k.uid === uid), 15_000, 'delta')),
    );
    const counts = new Set(deltas.map(unread));
    expect(counts).toEqual(new Set([1]));
    expect(proxy.connectionsTotal).toBe(1);
    expect(proxy.connectionsOpen).toBe(1);
    for (const client of all) expect(everything(client)).not.toContain(PASS);
  });
});
