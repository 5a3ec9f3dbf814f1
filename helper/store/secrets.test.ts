import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE, openSecretStore, type KeychainEntry, type KeychainFactory } from './secrets';

const PASSWORD = 'abcd-efgh-ijkl-mnop';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An in-memory keychain, recording which (service, account) pairs were touched. */
function fakeKeychain(): { factory: KeychainFactory; items: Map<string, string> } {
  const items = new Map<string, string>();
  const factory: KeychainFactory = (service, account) => {
    const key = `${service}/${account}`;
    return {
      getPassword: async () => items.get(key) ?? null,
      setPassword: async (p) => void items.set(key, p),
      deletePassword: async () => items.delete(key),
    };
  };
  return { factory, items };
}

/**
 * Fails the way @napi-rs/keyring 2.1 does on Linux without a D-Bus session (measured in this
 * container): with the Secret Service required, constructing the entry throws.
 */
const noDbus: KeychainFactory = () => {
  throw new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead');
};

describe('openSecretStore', () => {
  it('uses the keychain when the probe works, under service mail-notifier', async () => {
    const { factory, items } = fakeKeychain();
    const store = await openSecretStore({ configDir: dir, keychain: factory });
    expect(store.kind).toBe('keychain');
    expect(items.size).toBe(0); // the probe cleaned up after itself
    await store.set('work', PASSWORD);
    expect(items.get(`${KEYCHAIN_SERVICE}/work`)).toBe(PASSWORD);
    expect(await store.get('work')).toBe(PASSWORD);
    await store.delete('work');
    expect(await store.get('work')).toBeNull();
    await expect(readFile(join(dir, 'secrets.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('falls back to a private file when the keychain is unavailable, and says why', async () => {
    const store = await openSecretStore({ configDir: join(dir, 'config'), keychain: noDbus });
    expect(store.kind).toBe('file');
    expect(store.note).toMatch(/OS keychain unavailable \(.*DBus/);
    await store.set('work', PASSWORD);
    await store.set('home', 'other-password');
    expect(await store.get('work')).toBe(PASSWORD);
    const file = join(dir, 'config', 'secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config'))).mode & 0o777).toBe(0o700);
    await store.delete('work');
    expect(await store.get('work')).toBeNull();
    expect(await store.get('home')).toBe('other-password');
  });

  it('falls back when the keychain hands back something else than was stored', async () => {
    const liar: KeychainFactory = (): KeychainEntry => ({
      getPassword: async () => 'not it',
      setPassword: async () => undefined,
      deletePassword: async () => true,
    });
    expect((await openSecretStore({ configDir: dir, keychain: liar })).kind).toBe('file');
  });

  it('does not probe the keychain when the file is preferred', async () => {
    let touched = false;
    const watched: KeychainFactory = (s, a) => {
      touched = true;
      return fakeKeychain().factory(s, a);
    };
    const store = await openSecretStore({ configDir: dir, prefer: 'file', keychain: watched });
    expect(store.kind).toBe('file');
    expect(store.note).toBeUndefined();
    expect(touched).toBe(false);
  });

  it('keeps every password when several are saved at once', async () => {
    const store = await openSecretStore({ configDir: dir, prefer: 'file' });
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.set(id, `pw-${id}`)));
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.get(id)))).toEqual(['pw-a', 'pw-b', 'pw-c', 'pw-d']);
  });

  it('makes a secrets file readable by others private again', async () => {
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ version: 1, passwords: { work: PASSWORD } }));
    await chmod(file, 0o644);
    const store = await openSecretStore({ configDir: dir, prefer: 'file' });
    expect(await store.get('work')).toBe(PASSWORD);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('never puts a password in an error message', async () => {
    const file = join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify({ version: 1, passwords: { work: 42, home: PASSWORD } }));
    const fileStore = await openSecretStore({ configDir: dir, prefer: 'file' });
    const corrupt = await fileStore.get('home').catch((e: Error) => e);
    expect(corrupt).toMatchObject({ name: 'StorageError', problem: 'corrupt' });
    expect((corrupt as Error).message).not.toContain(PASSWORD);

    // A keychain that passes the probe but whose native error echoes what it was given.
    const stored = new Map<string, string>();
    const keychain: KeychainFactory = (_service, account) => ({
      getPassword: async () => stored.get(account) ?? null,
      setPassword: async (p) => {
        if (!account.includes('probe')) throw new Error(`could not store "${p}"`);
        stored.set(account, p);
      },
      deletePassword: async () => stored.delete(account),
    });
    const store = await openSecretStore({ configDir: dir, keychain });
    expect(store.kind).toBe('keychain');
    const err = await store.set('work', PASSWORD).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/Could not save the password of work in the OS keychain/);
    expect((err as Error).message).not.toContain(PASSWORD);
  });
});
