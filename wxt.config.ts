import { defineConfig } from 'wxt';

// Extension pages may only connect to the helper on loopback (any port, as the address is a setting).
// No IPv6 literal: Chrome refuses `ws://[::1]:*` as a CSP source (and logs it on every page);
// `localhost` reaches ::1 where that is what it resolves to.
const CONNECT_SRC = "connect-src 'self' ws://127.0.0.1:* ws://localhost:*";
const CSP = `script-src 'self'; object-src 'self'; ${CONNECT_SRC}`;

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  // The sources zip (for Firefox review) needs the code, not test output or benchmarks.
  zip: { excludeSources: ['test-artifacts/**', 'bench/**', '.output/**', 'dist/**'] },
  manifest: ({ browser, manifestVersion }) => ({
    // From the catalogue (public/_locales/<lang>/messages.json) in the browser's language.
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', ...(browser === 'safari' ? [] : ['notifications'])],
    action: { default_title: '__MSG_actionTitle__' },
    content_security_policy: manifestVersion === 3 ? { extension_pages: CSP } : CSP,
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'mail-notifier@mail-notifier.local',
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            // Android gained data_collection_permissions in 142.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
