/**
 * The one persistent key-value place the extension uses (`storage.local`), behind a small interface
 * so logic can be driven by an in-memory fake in tests. Never holds a password.
 */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** The keys the extension writes in storage.local (docs/EXTENSION.md lists them). */
export const STORAGE_KEYS = {
  token: 'token',
  settings: 'settings',
  notifiedKeys: 'notifiedKeys',
} as const;

interface StorageAreaLike {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

export function keyValueStore(area: StorageAreaLike): KeyValueStore {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

/** The pairing token: the only credential the extension keeps, and it only opens the loopback helper. */
export class TokenStore {
  constructor(private readonly store: KeyValueStore) {}

  async get(): Promise<string | undefined> {
    const token = await this.store.get(STORAGE_KEYS.token);
    return typeof token === 'string' && token !== '' ? token : undefined;
  }

  set(token: string): Promise<void> {
    return this.store.set(STORAGE_KEYS.token, token);
  }

  clear(): Promise<void> {
    return this.store.remove(STORAGE_KEYS.token);
  }
}
