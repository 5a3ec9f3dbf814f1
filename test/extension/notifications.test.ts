import './english';
import { describe, expect, it } from 'vitest';
import {
  GROUP_THRESHOLD,
  MAX_NOTIFIED_KEYS,
  NotifiedKeys,
  Notifier,
  inQuietHours,
  notificationId,
  parseNotificationId,
  type NotificationOptions,
} from '../../extension/notifications';
import { defaultSettings, type Settings } from '../../extension/settings';
import type { DeltaMessage, Preview } from '../../protocol';
import { FakeClock, MemoryStore, preview } from './fakes';
import { keyOf } from '../../protocol';

function delta(previews: Preview[], notify = previews): DeltaMessage {
  return { type: 'delta', accountId: 'icloud', added: previews, removed: [], notify: notify.map(keyOf), unreadCount: previews.length };
}

function setup(options: { store?: MemoryStore; settings?: Partial<Settings>; buttons?: boolean; clock?: FakeClock; api?: boolean } = {}) {
  const store = options.store ?? new MemoryStore();
  const clock = options.clock ?? new FakeClock();
  const shown: { id: string; options: NotificationOptions }[] = [];
  const api = {
    create: async (id: string, o: NotificationOptions) => (shown.push({ id, options: o }), id),
    clear: async () => true,
  };
  const notifier = new Notifier({
    api: options.api === false ? undefined : api,
    supportsButtons: options.buttons ?? true,
    notified: new NotifiedKeys(store),
    settings: () => ({ ...defaultSettings, ...options.settings }),
    now: () => new Date(clock.now()),
    iconUrl: 'icon.png',
    accountLabel: () => 'iCloud',
    onError: (error) => {
      throw error;
    },
  });
  return { store, shown, notifier, clock };
}

describe('new-mail notifications', () => {
  it('shows one notification per new message, named by sender and subject, with buttons on Chrome', async () => {
    const { shown, notifier } = setup();
    await notifier.handleDelta(delta([preview(1), preview(2)]));
    expect(shown.map((s) => s.options.title)).toEqual(['Sender 1', 'Sender 2']);
    expect(shown[0].options.message).toBe('Subject 1\nSnippet 1');
    expect(shown[0].options.contextMessage).toBe('iCloud');
    expect(shown[0].options.buttons).toEqual([{ title: 'Mark read' }, { title: 'Open' }]);
    expect(parseNotificationId(shown[1].id)).toEqual({ accountId: 'icloud', keys: [keyOf(preview(2))] });
  });

  it('leaves out buttons where they are not supported (Firefox)', async () => {
    const { shown, notifier } = setup({ buttons: false });
    await notifier.handleDelta(delta([preview(1)]));
    expect(shown[0].options).not.toHaveProperty('buttons');
  });

  it('only notifies the keys the helper names in `notify`', async () => {
    const { shown, notifier } = setup();
    await notifier.handleDelta(delta([preview(1), preview(2)], [preview(2)]));
    expect(shown.map((s) => s.options.title)).toEqual(['Sender 2']);
    await notifier.handleDelta(delta([preview(3)], []));
    expect(shown).toHaveLength(1);
  });

  it(`groups more than ${GROUP_THRESHOLD} messages of one delta into one notification`, async () => {
    const { shown, notifier } = setup();
    const five = [1, 2, 3, 4, 5].map((uid) => preview(uid));
    await notifier.handleDelta(delta(five));
    expect(shown).toHaveLength(1);
    expect(shown[0].options.title).toBe('5 new messages');
    expect(shown[0].options.message.split('\n')).toEqual(['Sender 1: Subject 1', 'Sender 2: Subject 2', 'Sender 3: Subject 3']);
    expect(parseNotificationId(shown[0].id)?.keys).toHaveLength(5);
  });

  it('never notifies a message twice, even after the worker restarts and the delta comes again', async () => {
    const store = new MemoryStore();
    const first = setup({ store });
    await first.notifier.handleDelta(delta([preview(1)]));
    await first.notifier.handleDelta(delta([preview(1)]));
    expect(first.shown).toHaveLength(1);
    // A new worker: fresh objects, same storage.local.
    const second = setup({ store });
    await second.notifier.handleDelta(delta([preview(1), preview(2)]));
    expect(second.shown.map((s) => s.options.title)).toEqual(['Sender 2']);
  });

  it('handles two deltas arriving at once without showing a key twice', async () => {
    const { shown, notifier } = setup();
    await Promise.all([notifier.handleDelta(delta([preview(1)])), notifier.handleDelta(delta([preview(1)]))]);
    expect(shown).toHaveLength(1);
  });

  it('keeps the remembered keys bounded, oldest forgotten first', async () => {
    const store = new MemoryStore();
    const keys = new NotifiedKeys(store);
    const ids = Array.from({ length: MAX_NOTIFIED_KEYS + 10 }, (_, i) => `k${i}`);
    expect(await keys.claim(ids)).toHaveLength(MAX_NOTIFIED_KEYS + 10);
    const stored = (await store.get('notifiedKeys')) as string[];
    expect(stored).toHaveLength(MAX_NOTIFIED_KEYS);
    expect(stored[0]).toBe('k10');
  });

  it('stays quiet during quiet hours (and does not announce that mail later), and when turned off', async () => {
    const clock = new FakeClock(new Date(2026, 0, 15, 23, 30).getTime()); // local time
    const quiet = setup({ clock, settings: { quietHours: { enabled: true, start: '22:00', end: '07:00' } } });
    await quiet.notifier.handleDelta(delta([preview(1)]));
    expect(quiet.shown).toHaveLength(0);
    await clock.advance(8 * 60 * 60_000); // 07:30
    await quiet.notifier.handleDelta(delta([preview(1), preview(2)]));
    expect(quiet.shown.map((s) => s.options.title)).toEqual(['Sender 2']);

    const off = setup({ settings: { notifications: false } });
    await off.notifier.handleDelta(delta([preview(1)]));
    expect(off.shown).toHaveLength(0);
  });

  it('does nothing where there is no notifications API (Safari)', async () => {
    const { notifier, store } = setup({ api: false });
    await expect(notifier.handleDelta(delta([preview(1)]))).resolves.toBeUndefined();
    expect(await store.get('notifiedKeys')).toHaveLength(1);
  });
});

describe('quiet hours', () => {
  const at = (h: number, m = 0) => new Date(2026, 0, 15, h, m);
  it('spans midnight when the end is before the start', () => {
    const q = { enabled: true, start: '22:00', end: '07:00' };
    expect([at(21, 59), at(22), at(3), at(6, 59), at(7)].map((d) => inQuietHours(d, q))).toEqual([false, true, true, true, false]);
  });
  it('works within a day, and is off when disabled or empty', () => {
    const q = { enabled: true, start: '12:00', end: '13:30' };
    expect([at(11, 59), at(12), at(13, 29), at(13, 30)].map((d) => inQuietHours(d, q))).toEqual([false, true, true, false]);
    expect(inQuietHours(at(12, 30), { ...q, enabled: false })).toBe(false);
    expect(inQuietHours(at(12, 30), { enabled: true, start: '12:00', end: '12:00' })).toBe(false);
  });
});

describe('notification ids', () => {
  it('round-trip their target and refuse anything else', () => {
    const target = { accountId: 'a', keys: [keyOf(preview(4))] };
    expect(parseNotificationId(notificationId(target))).toEqual(target);
    expect(parseNotificationId('error:1')).toBeUndefined();
    expect(parseNotificationId('mail:{bad')).toBeUndefined();
    expect(parseNotificationId('mail:{"accountId":1}')).toBeUndefined();
  });
});
