import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from './atomic-file';
import { addAccount, ConfigError, configPath, loadConfig, removeAccount, saveConfig, updateAccount, type AccountInput } from './config';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const icloud: AccountInput = {
  id: 'icloud-me',
  label: 'iCloud',
  kind: 'icloud',
  host: 'imap.mail.me.com',
  port: 993,
  tls: true,
  username: 'me@icloud.com',
};

async function loadError(content: unknown): Promise<StorageError> {
  await writeFile(configPath(dir), JSON.stringify(content));
  const err = await loadConfig(dir).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

describe('config', () => {
  it('starts empty when there is no file', async () => {
    expect(await loadConfig(dir)).toEqual({ version: 1, accounts: [] });
  });

  it('adds an account with defaults, saves it privately and loads it back', async () => {
    const config = addAccount({ version: 1, accounts: [] }, icloud);
    expect(config.accounts[0]).toEqual({ ...icloud, watchedFolders: [], previewCount: 50 });
    await saveConfig(dir, { ...config, port: 47913 });
    expect(await loadConfig(dir)).toEqual({ version: 1, port: 47913, accounts: config.accounts });
    expect((await stat(configPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('updates and removes accounts by id', () => {
    let config = addAccount({ version: 1, accounts: [] }, icloud);
    config = addAccount(config, { ...icloud, id: 'work', kind: 'imap', host: 'imap.example.org' });
    config = updateAccount(config, 'work', { label: 'Work', watchedFolders: ['Lists/dev'], archiveFolder: 'Archive' });
    expect(config.accounts[1]).toMatchObject({ id: 'work', label: 'Work', watchedFolders: ['Lists/dev'], archiveFolder: 'Archive' });
    config = removeAccount(config, 'icloud-me');
    expect(config.accounts.map((a) => a.id)).toEqual(['work']);
    expect(() => removeAccount(config, 'icloud-me')).toThrow(ConfigError);
    expect(() => updateAccount(config, 'nope', { label: 'x' })).toThrow(/No account with id "nope"/);
  });

  it('refuses bad accounts with the field named', () => {
    const empty = { version: 1 as const, accounts: [] };
    expect(() => addAccount(empty, { ...icloud, port: 70000 })).toThrow(/port/);
    expect(() => addAccount(empty, { ...icloud, id: 'Bad Id' })).toThrow(/id/);
    expect(() => addAccount(empty, { ...icloud, password: 'x' } as AccountInput)).toThrow(/password: passwords are kept in the keychain/);
    expect(() => addAccount(addAccount(empty, icloud), icloud)).toThrow(/exists already/);
    expect(() => updateAccount(addAccount(empty, icloud), 'icloud-me', { previewCount: 0 })).toThrow(/previewCount/);
  });

  it('names the file and the bad field of a hand-edited config', async () => {
    const err = await loadError({ version: 1, accounts: [{ ...icloud, port: '993' }] });
    expect(err.problem).toBe('corrupt');
    expect(err.message).toContain(configPath(dir));
    expect(err.message).toContain('accounts.0.port');
  });

  it('refuses a password stored in the config file', async () => {
    const err = await loadError({ version: 1, accounts: [{ ...icloud, password: 'hunter2' }] });
    expect(err.message).toContain('accounts.0.password: passwords are kept in the keychain');
    expect(err.message).not.toContain('hunter2');
  });

  it('refuses duplicate account ids', async () => {
    const err = await loadError({ version: 1, accounts: [icloud, icloud] });
    expect(err.message).toContain('"icloud-me" is used twice');
  });

  it('never writes a password', async () => {
    await saveConfig(dir, addAccount({ version: 1, accounts: [] }, icloud));
    expect(await readFile(configPath(dir), 'utf8')).not.toMatch(/pass/i);
  });
});
