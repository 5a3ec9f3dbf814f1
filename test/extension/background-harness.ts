/** The whole background, started on fakes: storage, sockets, clock, browser events. */
import { startBackground } from '../../extension/background';
import { BackgroundLink, type UiSnapshot } from '../../extension/bridge';
import { PreviewCache } from '../../extension/cache';
import type { NotificationOptions } from '../../extension/notifications';
import { FakeClock, MemoryStore, event, flush, portPair, socketFactory } from './fakes';

export async function boot(options: { token?: string; settings?: Record<string, unknown>; openPopupFails?: boolean } = {}) {
  const storage = new MemoryStore();
  if (options.token) await storage.set('token', options.token);
  if (options.settings) await storage.set('settings', options.settings);
  const sockets = socketFactory();
  const clock = new FakeClock();
  const badge: { text?: string; color?: string; title?: string } = {};
  const shown: { id: string; options: NotificationOptions }[] = [];
  const cleared: string[] = [];
  const tabs: string[] = [];
  const alarms: string[] = [];
  const onClicked = event<[string]>();
  const onButtonClicked = event<[string, number]>();
  const onAlarm = event<[{ name: string }]>();
  const onConnect = event<[ReturnType<typeof portPair>['background']]>();
  const onStorageChanged = event<[string[]]>();
  const logs: unknown[] = [];
  const cache = new PreviewCache();
  await cache.clear();
  const background = startBackground({
    storage,
    onStorageChanged,
    action: {
      setBadgeText: async ({ text }) => void (badge.text = text),
      setBadgeBackgroundColor: async ({ color }) => void (badge.color = color),
      setTitle: async ({ title }) => void (badge.title = title),
    },
    notifications: {
      create: async (id, o) => (shown.push({ id, options: o }), id),
      clear: async (id) => (cleared.push(id), true),
      onClicked,
      onButtonClicked,
    },
    supportsNotificationButtons: true,
    alarms: { create: (name) => void alarms.push(name), onAlarm },
    onConnect,
    extensionId: 'ext',
    iconUrl: 'icon.png',
    openPopup: async () => {
      if (options.openPopupFails) throw new Error('no window');
    },
    openTab: async (url) => tabs.push(url),
    popupUrl: 'chrome-extension://ext/popup.html',
    createSocket: sockets.create,
    clock,
    random: () => 0.5,
    clientName: 'Test',
    cache,
    log: (message, error) => logs.push([message, error]),
  });
  await flush();
  /** Opens a UI page: a link over a fresh port pair, like the popup or the settings page does. */
  const openUi = () => {
    const pair = portPair();
    const link = new BackgroundLink(() => {
      onConnect.fire(pair.background);
      return pair.ui;
    });
    const snapshots: UiSnapshot[] = [];
    link.subscribe((s) => snapshots.push(s));
    return { link, snapshots, pair };
  };
  /** The helper side of the current socket accepts the stored token and sends snapshots. */
  const helperAccepts = async (...snapshots: Parameters<typeof sockets.current.receive>[0][]) => {
    sockets.current.hello();
    await flush();
    sockets.current.reply('auth');
    for (const s of snapshots) sockets.current.receive(s);
    await flush();
    sockets.current.reply('ping', { at: 1 });
    await flush();
  };
  return { storage, sockets, clock, badge, shown, cleared, tabs, alarms, onClicked, onButtonClicked, onAlarm, onStorageChanged, background, openUi, helperAccepts, cache, logs };
}
