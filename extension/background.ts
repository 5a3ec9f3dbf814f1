/**
 * The background's composition: connection → store → badge, notifications, cache and UI ports.
 * Every browser API comes in through `BackgroundApis`, so the entry point only adapts the real
 * ones. Listeners are registered synchronously: an MV3 worker woken by an event must have them
 * before its first await.
 */
import { badgeUpdater, type ActionApi } from './badge';
import { UiHub, type PortLike, type UiCommand, type UiSnapshot } from './bridge';
import { PreviewCache, syncCache } from './cache';
import { HelperConnection, HelperError, type Clock, type SocketFactory } from './connection';
import { UserError } from './errors';
import { t } from './i18n';
import { NotifiedKeys, Notifier, parseNotificationId, type NotificationsApi, type NotificationTarget } from './notifications';
import { DEFAULT_HELPER_ADDRESS, defaultSettings, loadSettings, saveSettings, webmailUrlFor, type Settings } from './settings';
import { Store } from './state';
import { STORAGE_KEYS, TokenStore, type KeyValueStore } from './storage';

export const RECONNECT_ALARM = 'reconnect';

interface Event<T extends (...args: never[]) => void> {
  addListener(listener: T): void;
}

export interface BackgroundApis {
  storage: KeyValueStore;
  /** storage.local keys that changed, from any page (or a test driving the worker). */
  onStorageChanged: Event<(keys: string[]) => void>;
  action: ActionApi;
  /** Absent on Safari. */
  notifications?: NotificationsApi & {
    onClicked: Event<(id: string) => void>;
    onButtonClicked?: Event<(id: string, index: number) => void>;
  };
  supportsNotificationButtons: boolean;
  alarms: { create(name: string, info: { periodInMinutes: number }): void; onAlarm: Event<(alarm: { name: string }) => void> };
  onConnect: Event<(port: PortLike) => void>;
  extensionId: string;
  iconUrl: string;
  /** Opens the toolbar popup where the browser allows it; rejects where it doesn't. */
  openPopup: () => Promise<void>;
  openTab: (url: string) => Promise<unknown>;
  popupUrl: string;
  createSocket: SocketFactory;
  clock: Clock;
  random: () => number;
  clientName: string;
  cache: PreviewCache;
  log: (message: string, error?: unknown) => void;
}

export function startBackground(apis: BackgroundApis) {
  const store = new Store();
  let settings: Settings = defaultSettings;
  const tokens = new TokenStore(apis.storage);
  /** Whether a token is stored, as last read or written here; the helper's verdict wins when it has one. */
  let hasToken = false;
  void tokens.get().then((token) => {
    hasToken = !!token;
    hub.broadcast();
  });
  const connection = new HelperConnection({
    createSocket: apis.createSocket,
    clock: apis.clock,
    random: apis.random,
    tokens,
    clientName: apis.clientName,
    address: DEFAULT_HELPER_ADDRESS,
    emit: (event) => {
      store.dispatch(event);
      if (event.type === 'delta') void notifier.handleDelta(event);
    },
  });
  const notifier = new Notifier({
    api: apis.notifications,
    supportsButtons: apis.supportsNotificationButtons,
    notified: new NotifiedKeys(apis.storage),
    settings: () => settings,
    now: () => new Date(apis.clock.now()),
    iconUrl: apis.iconUrl,
    accountLabel: (id) => store.state.accounts.find((a) => a.status.id === id)?.status.label ?? id,
    onError: (error) => apis.log('could not show a notification', error),
  });
  const paired = () => {
    const { phase } = store.state.connection;
    return phase === 'connected' || (phase !== 'not-paired' && hasToken);
  };
  const snapshot = (): UiSnapshot => ({ state: store.state, settings, paired: paired(), notificationsSupported: !!apis.notifications });

  const applySettings = (next: Settings) => {
    settings = next;
    connection.setAddress(next.helperAddress);
    hub.broadcast();
  };
  const settingsLoaded = loadSettings(apis.storage).then(applySettings, (error) => apis.log('could not read settings', error));

  const handle = async (command: UiCommand): Promise<unknown> => {
    await settingsLoaded;
    switch (command.type) {
      case 'helper': {
        const { type, ...payload } = command.call;
        return connection.request(type, payload as never);
      }
      case 'pair': {
        const code = command.code.trim();
        if (code === '') throw new UserError(t('pairingCodeMissing'));
        applySettings(await saveSettings(apis.storage, { helperAddress: command.address }));
        await connection.pair(code);
        hasToken = true;
        return null;
      }
      case 'unpair':
        await connection.unpair();
        hasToken = false;
        await apis.cache.clear();
        return null;
      case 'save-settings':
        applySettings(await saveSettings(apis.storage, command.change));
        return null;
      case 'wake':
        connection.wake();
        return null;
    }
  };
  const hub = new UiHub({ extensionId: apis.extensionId, snapshot, handle });

  const updateBadge = badgeUpdater(apis.action);
  store.subscribe((state) => {
    updateBadge(state).catch((error) => apis.log('could not update the badge', error));
    hub.broadcast();
  });
  void updateBadge(store.state);
  syncCache(store, apis.cache, (error) => apis.log('could not write the preview cache', error));

  const openTarget = async (target: NotificationTarget | undefined) => {
    try {
      await apis.openPopup();
    } catch {
      // No popup without a focused browser window (or on this browser): webmail is the next best place.
      const account = store.state.accounts.find((a) => a.status.id === target?.accountId);
      await apis.openTab((account && webmailUrlFor(account.status, settings)) ?? apis.popupUrl);
    }
  };
  const markRead = async (target: NotificationTarget) => {
    try {
      await connection.request('set-seen', { accountId: target.accountId, keys: target.keys, seen: true });
    } catch (error) {
      await apis.notifications?.create(`error:${apis.clock.now()}`, {
        type: 'basic',
        iconUrl: apis.iconUrl,
        title: t('notificationMarkReadFailed'),
        message: error instanceof HelperError ? error.message : t('errorHelperTimeout'),
      });
    }
  };
  apis.notifications?.onClicked.addListener((id) => {
    void apis.notifications?.clear(id);
    void openTarget(parseNotificationId(id));
  });
  apis.notifications?.onButtonClicked?.addListener((id, index) => {
    const target = parseNotificationId(id);
    void apis.notifications?.clear(id);
    if (!target) return;
    void (index === 0 ? markRead(target) : openTarget(target));
  });

  apis.onConnect.addListener((port) => {
    hub.accept(port);
    connection.wake();
  });
  apis.onStorageChanged.addListener((keys) => {
    if (keys.includes(STORAGE_KEYS.settings)) void loadSettings(apis.storage).then(applySettings);
  });
  // Brings the connection back after the browser stopped the worker anyway (the alarm wakes it).
  apis.alarms.create(RECONNECT_ALARM, { periodInMinutes: 1 });
  apis.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RECONNECT_ALARM) connection.wake();
  });

  void settingsLoaded.then(() => connection.start());
  return { store, connection, hub };
}
