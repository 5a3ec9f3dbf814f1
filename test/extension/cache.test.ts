import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_PER_ACCOUNT, PreviewCache, syncCache } from '../../extension/cache';
import { Store } from '../../extension/state';
import { account, preview } from './fakes';
import { keyOf } from '../../protocol';

// fake-indexeddb gives each test file one in-memory IndexedDB; every test starts from a cleared cache.
async function freshCache() {
  const cache = new PreviewCache();
  await cache.clear();
  return cache;
}

describe('preview cache (IndexedDB)', () => {
  it('stores accounts with their previews, newest first, in announcement order', async () => {
    const cache = await freshCache();
    await cache.writeAccount({ status: account({ id: 'work', label: 'Work' }), previews: [preview(1)] }, 1);
    await cache.writeAccount({ status: account(), previews: [preview(2), preview(5), preview(3)] }, 0);
    const read = await cache.read();
    expect(read.map((a) => a.status.id)).toEqual(['icloud', 'work']);
    expect(read[0].previews.map((p) => p.key.uid)).toEqual([5, 3, 2]);
    expect(read[0].previews[0]).toEqual(preview(5));
  });

  it('keys previews by account, UIDVALIDITY and UID, replaces an account whole, and keeps a bounded number', async () => {
    const cache = await freshCache();
    const many = Array.from({ length: MAX_CACHED_PER_ACCOUNT + 20 }, (_, i) => preview(i + 1));
    await cache.writeAccount({ status: account(), previews: many }, 0);
    expect((await cache.read())[0].previews).toHaveLength(MAX_CACHED_PER_ACCOUNT);
    // Same UID under another UIDVALIDITY is another message; an account id that is a prefix of another stays apart.
    await cache.writeAccount({ status: account(), previews: [preview(1), preview(1, {}, { uidValidity: 8 })] }, 0);
    await cache.writeAccount({ status: account({ id: 'icloud-2' }), previews: [preview(1)] }, 1);
    const read = await cache.read();
    expect(read[0].previews.map((p) => `${p.key.uidValidity}/${p.key.uid}`).sort()).toEqual(['7/1', '8/1']);
    expect(read[1].previews).toHaveLength(1);
  });

  it('removes an account, and everything on clear', async () => {
    const cache = await freshCache();
    await cache.writeAccount({ status: account(), previews: [preview(1)] }, 0);
    await cache.writeAccount({ status: account({ id: 'work' }), previews: [preview(2)] }, 1);
    await cache.removeAccount('icloud');
    expect((await cache.read()).map((a) => a.status.id)).toEqual(['work']);
    await cache.clear();
    expect(await cache.read()).toEqual([]);
  });

  it('follows the store: writes changed accounts, deletes removed ones and everything on unpairing', async () => {
    const cache = await freshCache();
    const store = new Store();
    const errors: unknown[] = [];
    const sync = syncCache(store, cache, (e) => errors.push(e));
    store.dispatch({ type: 'authenticated' });
    store.dispatch({ type: 'snapshot', account: account({ unreadCount: 1 }), previews: [preview(1)] });
    store.dispatch({ type: 'snapshot', account: account({ id: 'work' }), previews: [] });
    store.dispatch({ type: 'delta', accountId: 'icloud', added: [preview(2)], removed: [keyOf(preview(1))], notify: [], unreadCount: 1 });
    await sync.settled();
    let read = await cache.read();
    expect(read.map((a) => a.status.id)).toEqual(['icloud', 'work']);
    expect(read[0].previews.map((p) => p.key.uid)).toEqual([2]);
    store.dispatch({ type: 'account-removed', accountId: 'work' });
    await sync.settled();
    read = await cache.read();
    expect(read.map((a) => a.status.id)).toEqual(['icloud']);
    store.dispatch({ type: 'unpaired' });
    await sync.settled();
    expect(await cache.read()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
