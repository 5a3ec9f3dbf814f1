/**
 * The keychain for real: the Secret Service of Debian's gnome-keyring, in the throwaway D-Bus
 * session of scripts/with-test-keyring.sh (never the developer's own). A password stored there is
 * read back by a restarted helper, which logs in to a real Dovecot with it; `account remove`
 * deletes it; no 0600 file is written while the keychain answers; and where no keychain answers
 * the file is used, with `status` and `doctor` saying so and why (a warning, not a failure).
 */
import { AsyncEntry } from '@napi-rs/keyring';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, saveConfig } from '../../helper/store/config';
import { helperPaths, type HelperPaths } from '../../helper/store/paths';
import { KEYCHAIN_SERVICE, openSecretStore } from '../../helper/store/secrets';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { recordSecret } from '../harness/test-log';
import { withTimeout } from '../harness/wait';
import { freePort, startHelperProcess } from '../e2e/helper-process';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
const USER = 'keychain';
const PASS = recordSecret('keychain-pass-Vq83z');
const ACCOUNT_ID = 'kc-test';
const NO_BUS = 'unix:path=/nonexistent/mail-notifier-tests-use-no-keychain';

// Never against a real keychain: the wrapper sets this to the bus of the throwaway session it started.
const throwaway = process.env.MAIL_NOTIFIER_TEST_KEYRING;
if (!throwaway || throwaway !== process.env.DBUS_SESSION_BUS_ADDRESS) {
  throw new Error('The keychain tests write to a Secret Service: run them only through `bash scripts/with-test-keyring.sh npx vitest run -c vitest.keychain.config.ts` (npm test does).');
}

let dovecot: DovecotServer;
let home: string;
let paths: HelperPaths;

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }] });
  home = await mkdtemp(join(tmpdir(), 'mn-keychain-'));
  paths = helperPaths({ MAIL_NOTIFIER_HOME: home });
  await saveConfig(paths.configDir, addAccount({ version: 1, accounts: [] }, {
    id: ACCOUNT_ID, label: 'keychain test', kind: 'imap', host: dovecot.host, port: dovecot.port, tls: false, username: USER,
  }));
});
afterAll(async () => {
  await new AsyncEntry(KEYCHAIN_SERVICE, ACCOUNT_ID, { linux: { store: 'secret-service' } }).deletePassword().catch(() => undefined);
  await dovecot?.stop();
  await rm(home, { recursive: true, force: true });
});

async function helper(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MAIL_NOTIFIER_HOME: home, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await withTimeout(new Promise<number | null>((r) => child.on('exit', r)), 20_000, `helper ${args.join(' ')}`);
  return { code, out };
}

const secretsFileExists = () => access(join(paths.configDir, 'secrets.json')).then(() => true, () => false);
const keychainEntry = () => new AsyncEntry(KEYCHAIN_SERVICE, ACCOUNT_ID, { linux: { store: 'secret-service' } });

describe('the Secret Service (gnome-keyring)', () => {
  it('stores the password; a restarted helper reads it back and logs in; account remove deletes it; no file is written', async () => {
    const store = await openSecretStore({ configDir: paths.configDir });
    expect(store.kind).toBe('keychain');
    await store.set(ACCOUNT_ID, PASS);
    expect(await keychainEntry().getPassword()).toBe(PASS);

    const status = await helper(['status']);
    expect(status.out).toContain('passwords kept in: the OS keychain');

    for (const run of [1, 2]) {
      const running = await startHelperProcess({ home, port: await freePort(), name: `keychain-${run}` });
      try {
        await running.waitForLog((e) => e.msg === 'state' && e.state === 'idle', `the account idle (start ${run})`);
      } finally {
        await running.stop();
      }
    }
    expect(await secretsFileExists()).toBe(false);

    const removed = await helper(['account', 'remove', ACCOUNT_ID]);
    expect(removed).toMatchObject({ code: 0, out: expect.stringContaining(`removed ${ACCOUNT_ID}`) });
    expect(await keychainEntry().getPassword()).toBeFalsy();
    expect(await secretsFileExists()).toBe(false);
  });

  it('where no keychain answers: the 0600 file, and status and doctor say so and why (a warning)', async () => {
    const status = await helper(['status'], { DBUS_SESSION_BUS_ADDRESS: NO_BUS });
    expect(status.out).toMatch(/passwords kept in: a file readable only by you \(.*secrets\.json\), because no OS keychain answered: .*DBus/);
    const doctor = await helper(['doctor'], { DBUS_SESSION_BUS_ADDRESS: NO_BUS });
    expect(doctor.out).toMatch(/^! Passwords: OS keychain unavailable \(.*\); passwords are kept in .*secrets\.json/m);
    expect(doctor.out).not.toMatch(/^✗ Passwords/m);
    // In the throwaway session the keychain answers, and doctor says so.
    expect((await helper(['doctor'])).out).toMatch(/^✓ Passwords: kept in the OS keychain$/m);
  });
});
