/**
 * The account registry over real files (a temp MAIL_NOTIFIER_HOME-like dir) and a real Dovecot:
 * adding costs exactly one login, a rejected password is never retried, and a restart keeps the
 * login log, the budget and the new-mail marks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeltaMessage } from '../../protocol';
import { AccountRegistry } from '../../helper/accounts/registry';
import { MailServiceError } from '../../helper/accounts/mail-service';
import { openSecretStore } from '../../helper/store/secrets';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { startProxy, type TcpProxy } from '../harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { withTimeout } from '../harness/wait';
import { recordSecret, testLogFn } from '../harness/test-log';

const USER = 'dana';
const PASS = recordSecret('registry-pass-42');
const log = testLogFn('registry');

let dovecot: DovecotServer;
let proxy: TcpProxy;
let other: OtherDevice;
let home: string;

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }] });
  proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  home = await mkdtemp(join(tmpdir(), 'mn-registry-'));
});

afterAll(async () => {
  await other?.close();
  await proxy?.close();
  await dovecot?.stop();
  await rm(home, { recursive: true, force: true });
});

async function open(random = () => 0, state = 'state') {
  const secrets = await openSecretStore({ configDir: join(home, 'config'), prefer: 'file' });
  return AccountRegistry.open({ configDir: join(home, 'config'), stateDir: join(home, state), secrets, random, log });
}

function account(password: string) {
  recordSecret(password);
  return { kind: 'imap' as const, host: '127.0.0.1', port: proxy.port, tls: false, username: USER, password };
}

function waitFor<T>(registry: AccountRegistry, event: 'delta' | 'snapshot' | 'account', match: (value: T) => boolean, what: string): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve) => {
      const listener = (value: T) => {
        if (!match(value)) return;
        registry.off(event, listener as never);
        resolve(value);
      };
      registry.on(event, listener as never);
    }),
    15_000,
    what,
  );
}

describe('AccountRegistry', () => {
  it('refuses a wrong password after exactly one login and stores nothing', async () => {
    const registry = await open();
    const before = proxy.connectionsTotal;
    const err = await registry.addAccount(account('not-the-password')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailServiceError);
    expect((err as MailServiceError).code).toBe('auth-rejected');
    expect((err as MailServiceError).message).toMatch(/rejected the username or password/);
    expect(proxy.connectionsTotal - before).toBe(1);
    expect(registry.snapshots()).toEqual([]);
    await registry.close();
  });

  it('adds an account with one login, keeps the password out of the config, and survives a restart', async () => {
    const registry = await open();
    const before = proxy.connectionsTotal;
    const firstSnapshot = waitFor<{ account: { id: string } }>(registry, 'snapshot', () => true, 'first snapshot');
    const added = await registry.addAccount(account(PASS));
    await firstSnapshot;
    expect(proxy.connectionsTotal - before).toBe(1);
    expect(added.passwordStore).toBe('file');
    const config = await readFile(join(home, 'config', 'config.json'), 'utf8');
    expect(config).toContain(USER);
    expect(config).not.toContain(PASS);

    const uid = await other.append('INBOX', buildMessage({ subject: 'registry mail', text: 'hello' }));
    const delta = await waitFor<Omit<DeltaMessage, 'type'>>(registry, 'delta', (d) => d.notify.some((k) => k.uid === uid), 'new mail');
    expect(delta.accountId).toBe(added.id);
    await registry.close();

    // Restart: same files, a new registry. The message is not announced again; the log is kept.
    const again = await open();
    const snap = await waitFor<{ previews: { key: { uid: number } }[] }>(again, 'snapshot', () => true, 'snapshot after restart');
    expect(snap.previews.map((p) => p.key.uid)).toContain(uid);
    const log = await again.loginLog(added.id);
    expect(log.map((e) => e.outcome)).toEqual(['auth-rejected', 'success', 'success']);
    const notified: number[] = [];
    again.on('delta', (d) => notified.push(...d.notify.map((k) => k.uid)));
    const second = await other.append('INBOX', buildMessage({ subject: 'after restart', text: 'hi' }));
    await waitFor<Omit<DeltaMessage, 'type'>>(again, 'delta', (d) => d.notify.some((k) => k.uid === second), 'second mail');
    expect(notified).toEqual([second]);

    await again.removeAccount(added.id);
    expect(again.snapshots()).toEqual([]);
    const secrets = await openSecretStore({ configDir: join(home, 'config'), prefer: 'file' });
    expect(await secrets.get(added.id)).toBeNull();
    await again.close();
  });

  it('a restart keeps the backoff: no login before it ends', async () => {
    // A state dir of its own: the logins of the tests above would make the pacing, not the backoff, decide.
    const registry = await open(() => 0.99, 'state-backoff');
    const added = await registry.addAccount(account(PASS));
    await waitFor<{ account: { state: string } }>(registry, 'snapshot', () => true, 'snapshot');
    proxy.refuseNew(true);
    proxy.dropAll();
    const backoff = await waitFor<{ state: string; until?: number }>(registry, 'account', (a) => a.state === 'backoff', 'backoff');
    await registry.close();
    const attempts = proxy.connectionsTotal;

    const again = await open(() => 0.99, 'state-backoff');
    const status = again.snapshots()[0].account;
    expect(status.state).toBe('backoff');
    expect(status.until).toBe(backoff.until);
    proxy.refuseNew(false);
    await waitFor<{ account: { state: string } }>(again, 'snapshot', () => true, 'reconnected after the backoff');
    expect(Date.now()).toBeGreaterThanOrEqual(backoff.until!);
    expect(proxy.connectionsTotal - attempts).toBe(1);
    await again.removeAccount(added.id);
    await again.close();
  });

  it('refuses an iCloud password that is not app-specific, before any connection', async () => {
    const registry = await open();
    const before = proxy.connectionsTotal;
    const err = (await registry
      .addAccount({ ...account('MyAppleIdPassword1'), kind: 'icloud', host: 'imap.mail.me.com' })
      .catch((e: unknown) => e)) as MailServiceError;
    expect(err.code).toBe('password-shape');
    expect(err.message).toMatch(/app-specific password/);
    expect(proxy.connectionsTotal).toBe(before);
    await registry.close();
  });
});
