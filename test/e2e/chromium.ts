/**
 * Real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) with the built extension
 * loaded, in a fresh profile. Playwright's attachment keeps the extension's service worker alive;
 * the ping test that needs it to sleep starts Chromium on its own instead (see ping.e2e.test.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3');
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a machine with no network but loopback: no background traffic, no GPU, no sandbox as root. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
];

export interface ExtensionBrowser {
  context: BrowserContext;
  /** The service worker as first started; see `currentWorker` for one that may have restarted since. */
  worker: Worker;
  /** The extension's service worker now (Chromium stops an idle one and starts it again on the next event). */
  currentWorker(): Promise<Worker>;
  extensionId: string;
  open(page: 'popup' | 'options'): Promise<Page>;
  badge(): Promise<{ text: string; title: string; color: number[] }>;
  close(): Promise<void>;
}

/**
 * `extensionDir`: the built extension by default; the bench loads a copy with a page of its own.
 * `language`: the browser's language (what `chrome.i18n` picks the catalogue by), e.g. 'he'.
 */
export async function launchWithExtension(extensionDir = EXTENSION_DIR, language?: string): Promise<ExtensionBrowser> {
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension at ${extensionDir}: run \`npx wxt build\` first (npm test does).`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'mn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // --lang picks the extension's catalogue (measured here: LANGUAGE/LANG or Playwright's `locale` do not).
    args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...(language ? [`--lang=${language}`] : [])],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  const currentWorker = async () =>
    context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`)) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  return {
    context,
    worker,
    currentWorker,
    extensionId,
    async open(page) {
      const tab = await context.newPage();
      await tab.goto(`chrome-extension://${extensionId}/${page}.html`);
      return tab;
    },
    badge: async () =>
      (await currentWorker()).evaluate(async () => {
        const action = (globalThis as unknown as { chrome: { action: ChromeAction } }).chrome.action;
        const [text, title, color] = await Promise.all([action.getBadgeText({}), action.getTitle({}), action.getBadgeBackgroundColor({})]);
        return { text, title, color };
      }),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

interface ChromeAction {
  getBadgeText(details: object): Promise<string>;
  getTitle(details: object): Promise<string>;
  getBadgeBackgroundColor(details: object): Promise<number[]>;
}
