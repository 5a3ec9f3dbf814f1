/**
 * Real Firefox (Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi) with the built
 * Firefox extension installed as a temporary add-on, in a fresh profile.
 *
 * What this Firefox needs, as measured here (firefox-esr 153):
 * - `--remote-allow-system-access`, or BiDi refuses to navigate to a moz-extension:// page;
 * - the pref `extensions.webextensions.uuids` fixes the add-on's UUID, so its pages have known URLs;
 * - navigating to an extension page never reports "load" over BiDi: wait on `location.href` and
 *   `document.readyState` instead;
 * - `setViewport` works per page (the window itself cannot be narrower than 500 px).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/firefox-mv2');
export const FIREFOX = '/usr/bin/firefox-esr';
/** The id in wxt.config.ts's browser_specific_settings. */
export const FIREFOX_ADDON_ID = 'mail-notifier@mail-notifier.local';
/** Any fixed UUID: the extension's pages live at moz-extension://<this>/. */
export const FIREFOX_EXTENSION_UUID = '3a1f6b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

export interface FirefoxWithExtension {
  browser: Browser;
  origin: string;
  /** Opens an extension page in a new tab, once it has loaded. */
  open(page: 'popup' | 'options', size?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(extensionDir = FIREFOX_EXTENSION_DIR): Promise<FirefoxWithExtension> {
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built Firefox extension at ${extensionDir}: run \`npx wxt build -b firefox\` first (npm test does).`);
  }
  if (!existsSync(FIREFOX)) throw new Error(`No Firefox at ${FIREFOX}: install Debian's firefox-esr (npm test does).`);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: null,
    args: ['--remote-allow-system-access', '--width=600', '--height=800'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: FIREFOX_EXTENSION_UUID }),
      // Nothing but loopback is reachable here: no update, telemetry or captive-portal checks.
      'app.update.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  await browser.installExtension(extensionDir);
  const origin = `moz-extension://${FIREFOX_EXTENSION_UUID}`;
  return {
    browser,
    origin,
    async open(name, size) {
      const page = await browser.newPage();
      if (size) await page.setViewport(size);
      const url = `${origin}/${name}.html`;
      // The navigation's own promise never settles for an extension page; its outcome is read below.
      page.goto(url, { timeout: 60_000 }).catch(() => undefined);
      // Asked again and again, as an evaluation can fail while the navigation replaces the document.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const loaded = await page.evaluate((u) => location.href === u && document.readyState === 'complete', url).catch(() => false);
        if (loaded) return page;
        if (Date.now() > deadline) throw new Error(`Firefox did not load ${url} within 30 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => browser.close(),
  };
}
