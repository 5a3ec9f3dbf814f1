/**
 * The built extension in real Chromium (test/e2e/chromium.ts), paired with a bench helper, and a
 * way to read the badge's changes from inside its service worker with timestamps the bench can
 * compare with its own clock.
 *
 * Timestamps: both sides use `performance.timeOrigin + performance.now()` (epoch milliseconds,
 * monotonic since each side's origin). How far apart the two clocks are is measured as NTP does:
 * the worker reads its clock between two reads of the bench's; the offset is the worker's reading
 * minus the midpoint, within ± half the round trip (the smallest of 30 tries is kept).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'playwright-core';
import { EXTENSION_DIR, launchWithExtension, type ExtensionBrowser } from '../test/e2e/chromium';
import { epochNow, type BenchHelper } from './world';

export interface ClockOffset {
  /** Worker clock minus bench clock, in ms. */
  offsetMs: number;
  /** Half the round trip of the best try: the offset is within ± this. */
  errorMs: number;
}

export interface BenchBrowser extends ExtensionBrowser {
  /** Worker time (already converted to the bench's clock) when the badge next becomes `text`. */
  badgeBecomes(text: string, timeoutMs?: number): Promise<number>;
  /** The titles of the desktop notifications the extension asked for so far, in order. */
  notificationsShown(): Promise<string[]>;
  clockOffset(): Promise<ClockOffset>;
}

interface BadgeLog {
  entries: { text: string; at: number }[];
  wake: (() => void) | null;
}

/**
 * Wraps `chrome.action.setBadgeText` (the extension calls it through the same object) so that each
 * call logs its text and the worker's time at which the browser confirmed the change.
 */
function installBadgeHook(): void {
  const g = globalThis as unknown as { chrome: { action: { setBadgeText(d: { text: string }): Promise<void> } }; benchBadge?: BadgeLog };
  if (g.benchBadge) return;
  const log: BadgeLog = { entries: [], wake: null };
  g.benchBadge = log;
  const action = g.chrome.action;
  const original = action.setBadgeText;
  action.setBadgeText = (details) => {
    const done = original.call(action, details);
    void done.then(() => {
      log.entries.push({ text: details.text, at: performance.timeOrigin + performance.now() });
      log.wake?.();
    });
    return done;
  };
}

/** Wraps `chrome.notifications.create` the same way: each notification's title is logged. */
function installNotificationHook(): void {
  const g = globalThis as unknown as { chrome: { notifications: { create(id: string, options: { title: string }): Promise<string> } }; benchNotifications?: string[] };
  if (g.benchNotifications) return;
  const shown: string[] = [];
  g.benchNotifications = shown;
  const api = g.chrome.notifications;
  const original = api.create;
  api.create = (id, options) => {
    shown.push(options.title);
    return original.call(api, id, options);
  };
}

/** In the worker: removes log entries up to the first with `text` and resolves with its time. */
function takeBadge({ text, timeoutMs }: { text: string; timeoutMs: number }): Promise<number> {
  const log = (globalThis as unknown as { benchBadge: BadgeLog }).benchBadge;
  // No named inner functions: tsx would wrap them in a helper the worker does not have.
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      log.wake = null;
      reject(new Error(`the badge did not become "${text}" within ${timeoutMs} ms (log: ${JSON.stringify(log.entries)})`));
    }, timeoutMs);
    log.wake = () => {
      const index = log.entries.findIndex((entry) => entry.text === text);
      if (index === -1) return;
      const [entry] = log.entries.splice(0, index + 1).slice(-1);
      clearTimeout(timer);
      log.wake = null;
      resolve(entry.at);
    };
    log.wake();
  });
}

async function measureOffset(worker: Worker): Promise<ClockOffset> {
  let best: ClockOffset = { offsetMs: 0, errorMs: Infinity };
  for (let i = 0; i < 30; i++) {
    const before = epochNow();
    const theirs = await worker.evaluate(() => performance.timeOrigin + performance.now());
    const after = epochNow();
    if ((after - before) / 2 < best.errorMs) best = { offsetMs: theirs - (before + after) / 2, errorMs: (after - before) / 2 };
  }
  return best;
}

/**
 * Chromium with the extension, paired with `helper` as pairing would leave it (token and address in
 * storage.local). With `extraPages` (file name → contents), it loads a copy of the built extension with
 * those files added, so that bench pages never ship in the extension itself.
 */
export async function launchPairedBrowser(helper: BenchHelper, extraPages: Record<string, string> = {}): Promise<BenchBrowser> {
  let copy: string | undefined;
  if (Object.keys(extraPages).length > 0) {
    copy = await mkdtemp(join(tmpdir(), 'mn-extension-'));
    await cp(EXTENSION_DIR, copy, { recursive: true });
    for (const [name, contents] of Object.entries(extraPages)) await writeFile(join(copy, name), contents);
  }
  const browser = await launchWithExtension(copy).catch(async (err: unknown) => {
    if (copy) await rm(copy, { recursive: true, force: true });
    throw err;
  });
  const { worker } = browser;
  await worker.evaluate(installBadgeHook);
  await worker.evaluate(installNotificationHook);
  let offset = await measureOffset(worker);
  await worker.evaluate(
    ({ token, address }) => (globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } }).chrome.storage.local.set({ token, settings: { helperAddress: address } }),
    { token: helper.browserToken, address: `ws://127.0.0.1:${helper.port}` },
  );
  return {
    ...browser,
    async badgeBecomes(text, timeoutMs = 30_000) {
      return (await worker.evaluate(takeBadge, { text, timeoutMs })) - offset.offsetMs;
    },
    notificationsShown: () => worker.evaluate(() => [...(globalThis as unknown as { benchNotifications: string[] }).benchNotifications]),
    async clockOffset() {
      offset = await measureOffset(worker);
      return offset;
    },
    async close() {
      await browser.close();
      if (copy) await rm(copy, { recursive: true, force: true });
    },
  };
}
