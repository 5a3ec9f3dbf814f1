/**
 * The popup's first paint: previews in IndexedDB, keyed by account, mailbox, UIDVALIDITY and UID,
 * at most MAX_CACHED_PER_ACCOUNT per account. The background writes it from the store; the popup
 * only reads it. Accounts that disappear (removed, or everything on unpairing) are deleted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AccountStatus, Preview } from '../protocol';
import type { AccountView, ExtensionState, Store } from './state';

export const MAX_CACHED_PER_ACCOUNT = 50;
const DB_NAME = 'mail-notifier-cache';
/** 2: previews carry their key as a field of its own (protocol 2). */
const DB_VERSION = 2;

type CachedPreview = Preview & { accountId: string };

interface CacheSchema extends DBSchema {
  accounts: { key: string; value: { status: AccountStatus; order: number } };
  previews: { key: [string, string, number, number]; value: CachedPreview };
}

/** Every key of one account: array keys sort after strings, so [id, []] is above all [id, mailbox, …]. */
const accountRange = (accountId: string) => IDBKeyRange.bound([accountId], [accountId, []]);

export class PreviewCache {
  #db: Promise<IDBPDatabase<CacheSchema>> | undefined;

  #open(): Promise<IDBPDatabase<CacheSchema>> {
    this.#db ??= openDB<CacheSchema>(DB_NAME, DB_VERSION, {
      upgrade(db) {
        // A cache, not a store of record: an older shape is dropped and refilled by the next snapshot.
        for (const name of [...db.objectStoreNames]) db.deleteObjectStore(name);
        db.createObjectStore('accounts', { keyPath: 'status.id' });
        db.createObjectStore('previews', { keyPath: ['accountId', 'key.mailbox', 'key.uidValidity', 'key.uid'] });
      },
    });
    return this.#db;
  }

  async read(): Promise<AccountView[]> {
    const db = await this.#open();
    const tx = db.transaction(['accounts', 'previews']);
    // Both stores at once (at most MAX_CACHED_PER_ACCOUNT previews an account): one round trip to
    // IndexedDB instead of the accounts first and then each account's previews.
    const [accounts, rows] = await Promise.all([tx.objectStore('accounts').getAll(), tx.objectStore('previews').getAll(), tx.done]);
    const byAccount = new Map<string, Preview[]>();
    for (const { accountId, ...preview } of rows) {
      const previews = byAccount.get(accountId) ?? [];
      previews.push(preview);
      byAccount.set(accountId, previews);
    }
    return accounts
      .sort((a, b) => a.order - b.order)
      .map(({ status }) => ({ status, previews: (byAccount.get(status.id) ?? []).sort((a, b) => b.date - a.date || b.key.uid - a.key.uid) }));
  }

  async writeAccount(view: AccountView, order: number): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(['accounts', 'previews'], 'readwrite');
    const accountId = view.status.id;
    await tx.objectStore('accounts').put({ status: view.status, order });
    await tx.objectStore('previews').delete(accountRange(accountId));
    for (const preview of view.previews.slice(0, MAX_CACHED_PER_ACCOUNT)) {
      await tx.objectStore('previews').put({ ...preview, accountId });
    }
    await tx.done;
  }

  async removeAccount(accountId: string): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(['accounts', 'previews'], 'readwrite');
    await tx.objectStore('accounts').delete(accountId);
    await tx.objectStore('previews').delete(accountRange(accountId));
    await tx.done;
  }

  async clear(): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(['accounts', 'previews'], 'readwrite');
    await Promise.all([tx.objectStore('accounts').clear(), tx.objectStore('previews').clear(), tx.done]);
  }
}

/** The cache writes an account when its view changed (the reducer makes new objects only then). */
export function cacheChanges(next: ExtensionState, previous: ExtensionState): { write: [AccountView, number][]; remove: string[] } {
  const before = new Map(previous.accounts.map((a) => [a.status.id, a]));
  const ids = new Set(next.accounts.map((a) => a.status.id));
  return {
    write: next.accounts.flatMap((a, order) => (before.get(a.status.id) === a ? [] : [[a, order] as [AccountView, number]])),
    remove: [...before.keys()].filter((id) => !ids.has(id)),
  };
}

/** Keeps the cache in step with the store, one write after another. */
export function syncCache(store: Store, cache: PreviewCache, onError: (error: unknown) => void) {
  let queue = Promise.resolve();
  const stop = store.subscribe((next, previous) => {
    const { write, remove } = cacheChanges(next, previous);
    if (write.length === 0 && remove.length === 0) return;
    queue = queue
      .then(async () => {
        for (const id of remove) await cache.removeAccount(id);
        for (const [view, order] of write) await cache.writeAccount(view, order);
      })
      .catch(onError);
  });
  /** `settled` resolves once every write queued so far is done. */
  return { stop, settled: () => queue };
}
