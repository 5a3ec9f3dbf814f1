import browser from 'webextension-polyfill';
import { startBackground } from '@/extension/background';
import { PreviewCache } from '@/extension/cache';
import { browserSocketFactory, systemClock } from '@/extension/connection';
import { browserMessageSource, setMessageSource } from '@/extension/i18n';
import { keyValueStore } from '@/extension/storage';

export default defineBackground(() => {
  // Errors and hints made here reach the pages as text: in the browser's language, as the pages.
  setMessageSource(browserMessageSource(browser.i18n));
  // MV3 has `action`; Firefox and Safari MV2 builds have `browserAction`.
  const action = browser.action ?? browser.browserAction;
  // Safari has no notifications API for extensions.
  const notifications = typeof browser.notifications?.create === 'function' ? browser.notifications : undefined;
  startBackground({
    storage: keyValueStore(browser.storage.local),
    onStorageChanged: {
      addListener: (listener) => browser.storage.onChanged.addListener((changes, area) => area === 'local' && listener(Object.keys(changes))),
    },
    action,
    notifications,
    // Chrome shows notification buttons; Firefox rejects the option.
    supportsNotificationButtons: import.meta.env.CHROME || import.meta.env.EDGE,
    alarms: browser.alarms,
    onConnect: browser.runtime.onConnect,
    extensionId: browser.runtime.id,
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    openPopup: () => action.openPopup(),
    openTab: (url) => browser.tabs.create({ url }),
    popupUrl: browser.runtime.getURL('/popup.html'),
    createSocket: browserSocketFactory,
    clock: systemClock,
    random: Math.random,
    clientName: `Mail notifier extension (${import.meta.env.BROWSER})`,
    cache: new PreviewCache(),
    log: (message, error) => console.warn(`mail-notifier: ${message}`, error),
  });
});
