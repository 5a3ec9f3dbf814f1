/**
 * The two real browsers behind one face, so a journey is written once and run in both: pages to
 * work, and what only the browser knows (the badge, notifications, tabs the extension opened).
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import { launchWithExtension } from '../chromium';
import { launchFirefoxWithExtension } from '../firefox';
import { playwrightPage, puppeteerPage, UiPage } from './ui-page';

/** The popup's size in Chrome's toolbar; tests open it as a tab of that size. */
export const POPUP_SIZE = { width: 380, height: 600 };

export interface JourneyBrowser {
  name: 'Chromium' | 'Firefox';
  /** The extension's origin (what the helper records for a paired browser). */
  origin: string;
  open(page: 'popup' | 'options'): Promise<UiPage>;
  badge(): Promise<string>;
  /** Notifications the extension has shown (in Firefox: shown since launch, as it closes them at once). */
  notificationIds(): Promise<string[]>;
  /**
   * Delivers a click on a notification (or on its button) through the browser's own event, as the
   * browser does when a person clicks it; undefined where the browser offers no way to (Firefox).
   */
  clickNotification?: (id: string, button?: number) => Promise<void>;
  /** How many toolbar popups are open (Chromium can tell; Firefox can't click notifications anyway). */
  openPopups?: () => Promise<number>;
  /** URLs of the tabs open now. */
  tabUrls(): Promise<string[]>;
  /** Every error the extension's pages opened here wrote to their console. */
  pageErrors(): string[];
  close(): Promise<void>;
}

type ExtensionApi = {
  action?: { getBadgeText(d: object): Promise<string> };
  browserAction?: { getBadgeText(d: object): Promise<string> };
  notifications: { getAll(): Promise<Record<string, unknown>>; onClicked: { dispatch(id: string): void }; onButtonClicked: { dispatch(id: string, i: number): void } };
};

// The functions passed to evaluate run inside the browser (serialized by the driver), so they
// reach the extension API through globalThis.
export async function chromiumJourneyBrowser(): Promise<JourneyBrowser> {
  const b = await launchWithExtension();
  const errors: string[] = [];
  // Chromium stops an idle extension worker now and then (MV3): an extension page of our own asks
  // the APIs, and only a notification click, which must happen in the worker, goes there.
  const probe = await b.context.newPage();
  await probe.goto(`chrome-extension://${b.extensionId}/options.html`);
  return {
    name: 'Chromium',
    origin: `chrome-extension://${b.extensionId}`,
    async open(name) {
      const page: PlaywrightPage = await b.context.newPage();
      page.on('console', (m) => m.type() === 'error' && errors.push(`${name}: ${m.text()}`));
      page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
      if (name === 'popup') await page.setViewportSize(POPUP_SIZE);
      await page.goto(`chrome-extension://${b.extensionId}/${name}.html`);
      return new UiPage(playwrightPage(page), `Chromium ${name}`);
    },
    badge: () => probe.evaluate(() => (globalThis as unknown as { chrome: ExtensionApi }).chrome.action!.getBadgeText({})),
    notificationIds: () => probe.evaluate(async () => Object.keys(await (globalThis as unknown as { chrome: ExtensionApi }).chrome.notifications.getAll())),
    clickNotification: async (id, button) =>
      (await b.currentWorker()).evaluate(([target, index]) => {
        const { notifications } = (globalThis as unknown as { chrome: ExtensionApi }).chrome;
        if (index === undefined) notifications.onClicked.dispatch(target);
        else notifications.onButtonClicked.dispatch(target, index);
      }, [id, button] as const),
    openPopups: () =>
      probe.evaluate(async () => {
        const runtime = (globalThis as unknown as { chrome: { runtime: { getContexts(f: object): Promise<unknown[]> } } }).chrome.runtime;
        return (await runtime.getContexts({ contextTypes: ['POPUP'] })).length;
      }),
    tabUrls: async () => b.context.pages().filter((p) => p !== probe).map((p) => p.url()),
    pageErrors: () => errors,
    close: () => b.close(),
  };
}

export async function firefoxJourneyBrowser(): Promise<JourneyBrowser> {
  const f = await launchFirefoxWithExtension();
  const errors: string[] = [];
  // Firefox gives no handle on the background page: an extension page of our own asks the APIs.
  const probe = await f.open('options');
  // Headless Firefox has no alerts service: a notification is created and closed at once, so
  // getAll() never lists it. Its `onClosed` event still names it, which is what is recorded here.
  await probe.evaluate(() => {
    const seen: string[] = [];
    (globalThis as unknown as { notificationsSeen: string[] }).notificationsSeen = seen;
    (globalThis as unknown as { browser: { notifications: { onClosed: { addListener(l: (id: string) => void): void } } } }).browser.notifications.onClosed.addListener((id) => seen.push(id));
  });
  return {
    name: 'Firefox',
    origin: f.origin,
    async open(name) {
      const page = await f.open(name, name === 'popup' ? POPUP_SIZE : undefined);
      page.on('console', (m) => m.type() === 'error' && errors.push(`${name}: ${m.text()}`));
      page.on('pageerror', (e) => errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`));
      return new UiPage(puppeteerPage(page), `Firefox ${name}`);
    },
    badge: () => probe.evaluate(() => (globalThis as unknown as { browser: ExtensionApi }).browser.browserAction!.getBadgeText({})),
    notificationIds: () =>
      probe.evaluate(async () => [
        ...Object.keys(await (globalThis as unknown as { browser: ExtensionApi }).browser.notifications.getAll()),
        ...(globalThis as unknown as { notificationsSeen: string[] }).notificationsSeen,
      ]),
    tabUrls: async () => (await f.browser.pages()).filter((p) => p !== probe).map((p) => p.url()),
    pageErrors: () => errors,
    close: () => f.close(),
  };
}
