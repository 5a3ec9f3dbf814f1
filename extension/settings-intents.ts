/** The settings page's intents as calls to the background (the page itself holds no logic or secrets). */
import type { SettingsIntents } from '../components/Settings';
import type { BackgroundLink } from './bridge';
import type { Settings } from './settings';

export function settingsIntents(link: Pick<BackgroundLink, 'call' | 'helper'>, current: () => Settings | undefined): SettingsIntents {
  const done = () => undefined;
  return {
    pair: (address, code) => link.call({ type: 'pair', address, code }).then(done),
    unpair: () => link.call({ type: 'unpair' }).then(done),
    addAccount: (account) => link.helper({ type: 'add-account', account }).then((r) => r.account),
    removeAccount: (accountId) => link.helper({ type: 'remove-account', accountId }).then(done),
    retryLogin: (accountId) => link.helper({ type: 'retry-login', accountId }).then(done),
    loginLog: (accountId) => link.helper({ type: 'get-login-log', accountId }).then((r) => r.entries),
    setPassword: (accountId, password) => link.helper({ type: 'update-account', accountId, changes: { password } }).then(done),
    listFolders: (accountId) => link.helper({ type: 'list-folders', accountId }),
    setFolders: (accountId, changes) => link.helper({ type: 'update-account', accountId, changes }).then(done),
    setPreviewCount: (accountId, previewCount) => link.helper({ type: 'update-account', accountId, changes: { previewCount } }).then(done),
    setWebmailUrl: (accountId, url) =>
      link.call({ type: 'save-settings', change: { webmailUrls: { ...current()?.webmailUrls, [accountId]: url } } }).then(done),
    saveSettings: (change) => link.call({ type: 'save-settings', change }).then(done),
  };
}
