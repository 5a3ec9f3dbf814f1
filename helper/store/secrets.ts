/**
 * Account passwords: in the OS keychain when there is one, else in a file only the user can read
 * (secrets.json, 0600, in a 0700 folder). Nothing here logs, and no error message carries a
 * password.
 */
import { AsyncEntry } from '@napi-rs/keyring';
import { randomUUID } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { corruptFile, readJson, StorageError, toStorageError, writeJsonAtomic } from './atomic-file';

export const KEYCHAIN_SERVICE = 'mail-notifier';
/** Not a valid account id, so the probe can never touch a real account's password. */
const PROBE_ACCOUNT = '~probe';

export interface SecretStore {
  readonly kind: 'keychain' | 'file';
  /** For status: why the keychain is not in use, when it is not. */
  readonly note?: string;
  /** What the keychain answered when it was tried and failed (none when the file was chosen). */
  readonly keychainProblem?: string;
  get(accountId: string): Promise<string | null>;
  set(accountId: string, password: string): Promise<void>;
  delete(accountId: string): Promise<void>;
}

/** The part of @napi-rs/keyring's AsyncEntry used here; tests pass a fake. */
export interface KeychainEntry {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deletePassword(): Promise<boolean>;
}
export type KeychainFactory = (service: string, account: string) => KeychainEntry;

/**
 * On Linux the keyring's default falls back to the kernel keyring, which forgets everything at
 * logout or reboot; only the Secret Service keeps a password, so it is required there. Without a
 * D-Bus session (containers, SSH) that fails and the file store is used.
 */
const systemKeychain: KeychainFactory = (service, account) =>
  new AsyncEntry(service, account, process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined);

export interface OpenSecretStoreOptions {
  configDir: string;
  prefer?: 'keychain' | 'file';
  keychain?: KeychainFactory;
}

/** Probes the keychain once (write, read back, delete) and falls back to the file if it fails. */
export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  const file = join(options.configDir, 'secrets.json');
  if (options.prefer === 'file') return new FileSecretStore(file);
  const keychain = options.keychain ?? systemKeychain;
  const problem = await probeKeychain(keychain);
  if (problem === null) return new KeychainSecretStore(keychain);
  return new FileSecretStore(file, `OS keychain unavailable (${problem}); passwords are kept in ${file}, readable by your user only.`, problem);
}

async function probeKeychain(keychain: KeychainFactory): Promise<string | null> {
  const token = `probe-${randomUUID()}`;
  try {
    // Inside the try: with the Secret Service pinned and no D-Bus, the constructor itself throws.
    const entry = keychain(KEYCHAIN_SERVICE, PROBE_ACCOUNT);
    await entry.setPassword(token);
    const back = await entry.getPassword();
    await entry.deletePassword();
    return back === token ? null : 'it did not return what was stored';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Native messages are not ours to trust: never let one carry the password out. */
function keychainError(err: unknown, doing: string, secret?: string): StorageError {
  let detail = err instanceof Error ? err.message : String(err);
  if (secret) detail = detail.split(secret).join('[password]');
  return new StorageError('io', 'OS keychain', `Could not ${doing} in the OS keychain: ${detail}`);
}

class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain';

  constructor(private readonly keychain: KeychainFactory) {}

  async get(accountId: string): Promise<string | null> {
    try {
      return (await this.keychain(KEYCHAIN_SERVICE, accountId).getPassword()) ?? null;
    } catch (err) {
      throw keychainError(err, `read the password of ${accountId}`);
    }
  }

  async set(accountId: string, password: string): Promise<void> {
    try {
      await this.keychain(KEYCHAIN_SERVICE, accountId).setPassword(password);
    } catch (err) {
      throw keychainError(err, `save the password of ${accountId}`, password);
    }
  }

  async delete(accountId: string): Promise<void> {
    try {
      await this.keychain(KEYCHAIN_SERVICE, accountId).deletePassword();
    } catch (err) {
      throw keychainError(err, `delete the password of ${accountId}`);
    }
  }
}

const SecretsFileSchema = v.object({ version: v.literal(1), passwords: v.record(v.string(), v.string()) });
type SecretsFile = v.InferOutput<typeof SecretsFileSchema>;

class FileSecretStore implements SecretStore {
  readonly kind = 'file';
  /** Serializes read-modify-write cycles so two accounts saved at once both survive. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    readonly note?: string,
    readonly keychainProblem?: string,
  ) {}

  async get(accountId: string): Promise<string | null> {
    return this.serially(async () => (await this.read()).passwords[accountId] ?? null);
  }

  async set(accountId: string, password: string): Promise<void> {
    await this.serially(async () => {
      const data = await this.read();
      await this.write({ ...data, passwords: { ...data.passwords, [accountId]: password } });
    });
  }

  async delete(accountId: string): Promise<void> {
    await this.serially(async () => {
      const data = await this.read();
      if (!(accountId in data.passwords)) return;
      const passwords = { ...data.passwords };
      delete passwords[accountId];
      await this.write({ ...data, passwords });
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<SecretsFile> {
    const raw = await readJson(this.path);
    if (raw === undefined) return { version: 1, passwords: {} };
    // Deliberately no detail from the parse: it could quote a password.
    if (!v.is(SecretsFileSchema, raw)) throw corruptFile(this.path, 'it does not hold { version: 1, passwords: {…} }');
    await this.tightenMode();
    return raw;
  }

  private write(data: SecretsFile): Promise<void> {
    // writeJsonAtomic creates a missing folder 0700.
    return writeJsonAtomic(this.path, data, { mode: 0o600 });
  }

  /** A copied or restored file may be readable by others; make it private again. */
  private async tightenMode(): Promise<void> {
    if (process.platform === 'win32') return;
    try {
      const { mode } = await stat(this.path);
      if (mode & 0o077) await chmod(this.path, 0o600);
    } catch (err) {
      throw toStorageError(err, this.path, 'restrict the permissions of');
    }
  }
}
