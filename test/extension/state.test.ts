import { describe, expect, it } from 'vitest';
import { Store, initialState, reduce, totalUnread, type ExtensionState, type StoreEvent } from '../../extension/state';
import { account, preview } from './fakes';
import { keyOf } from '../../protocol';

const run = (events: StoreEvent[], from: ExtensionState = initialState) => events.reduce(reduce, from);
const uids = (state: ExtensionState, id = 'icloud') => state.accounts.find((a) => a.status.id === id)!.previews.map((p) => p.key.uid);

describe('state reduction', () => {
  it('takes a snapshot newest first and applies deltas: adds, removes, replaces, counts', () => {
    const state = run([
      { type: 'authenticated' },
      { type: 'snapshot', account: account({ unreadCount: 2 }), previews: [preview(1), preview(2)] },
      { type: 'delta', accountId: 'icloud', added: [preview(3)], removed: [keyOf(preview(1))], notify: [keyOf(preview(3))], unreadCount: 2 },
    ]);
    expect(uids(state)).toEqual([3, 2]);
    expect(totalUnread(state)).toBe(2);

    // A delta re-adding a message it already holds replaces it rather than duplicating it.
    const again = reduce(state, {
      type: 'delta',
      accountId: 'icloud',
      added: [preview(3, { subject: 'edited' })],
      removed: [],
      notify: [],
      unreadCount: 2,
    });
    expect(uids(again)).toEqual([3, 2]);
    expect(again.accounts[0].previews[0].subject).toBe('edited');
  });

  it('keeps accounts separate and in announcement order; account and account-removed events apply', () => {
    let state = run([
      { type: 'authenticated' },
      { type: 'snapshot', account: account({ unreadCount: 1 }), previews: [preview(1)] },
      { type: 'snapshot', account: account({ id: 'work', label: 'Work', kind: 'imap', unreadCount: 4 }), previews: [] },
    ]);
    expect(state.accounts.map((a) => a.status.id)).toEqual(['icloud', 'work']);
    expect(totalUnread(state)).toBe(5);
    state = reduce(state, { type: 'account', account: account({ unreadCount: 1, state: 'auth-failed', stateReason: 'rejected' }) });
    expect(state.accounts[0].status.state).toBe('auth-failed');
    expect(uids(state)).toEqual([1]);
    state = reduce(state, { type: 'account-removed', accountId: 'work' });
    expect(state.accounts.map((a) => a.status.id)).toEqual(['icloud']);
  });

  it('after re-authentication drops accounts that got no snapshot by the sync marker', () => {
    let state = run([
      { type: 'authenticated' },
      { type: 'snapshot', account: account(), previews: [preview(1)] },
      { type: 'snapshot', account: account({ id: 'gone', label: 'Gone' }), previews: [] },
      { type: 'synced' },
    ]);
    state = run([{ type: 'authenticated' }, { type: 'snapshot', account: account(), previews: [preview(2)] }], state);
    // Until the marker, the old account stays (no flicker while snapshots are arriving).
    expect(state.accounts.map((a) => a.status.id)).toEqual(['icloud', 'gone']);
    state = reduce(state, { type: 'synced' });
    expect(state.accounts.map((a) => a.status.id)).toEqual(['icloud']);
    expect(uids(state)).toEqual([2]);
  });

  it('forgets every account on unpairing and records phases and the helper version', () => {
    const state = run([
      { type: 'phase', connection: { phase: 'connecting' }, helperVersion: '1.0.0' },
      { type: 'authenticated' },
      { type: 'snapshot', account: account(), previews: [preview(1)] },
      { type: 'unpaired' },
      { type: 'phase', connection: { phase: 'not-paired' } },
    ]);
    expect(state.accounts).toEqual([]);
    expect(state.connection).toEqual({ phase: 'not-paired' });
    expect(state.helperVersion).toBe('1.0.0');
  });

  it('the store tells listeners about changes only', () => {
    const store = new Store();
    const seen: string[] = [];
    store.subscribe((next) => seen.push(next.connection.phase));
    store.dispatch({ type: 'synced' }); // nothing stale: no change
    store.dispatch({ type: 'phase', connection: { phase: 'helper-down' } });
    expect(seen).toEqual(['helper-down']);
  });
});
