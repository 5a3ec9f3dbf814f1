/**
 * Popup first paint with 50 previews. The extension is paired with a helper whose INBOX holds 60
 * unread messages, so the background has written 50 previews to its IndexedDB cache the normal
 * way. Then popup.html is opened in a new tab again and again (the toolbar popup cannot be opened
 * by automation; the page is the same) and, from navigation start, the bench takes the time at
 * which the first message row is in the DOM, the time its subject was painted (Element Timing's
 * renderTime), and the page's first contentful paint.
 *
 * "cache only" stubs `chrome.runtime.connect` in the page so the background's live snapshot never
 * arrives and only the IndexedDB cache can paint; "normal" lets the cache and the background race.
 *
 * "floor" opens, the same number of times and the same way, a static page with one row and no
 * script at all: how soon this environment paints a row on an extension page, whatever the page
 * does. "floor with a script" is the same row put in by the smallest script there can be (a
 * classic script file of a few lines, run while the page is parsed; an extension page cannot have
 * inline script): how soon any page that builds its rows in script can paint one. The modes take
 * turns, open by open. It has to be an extension page: a data: URL or about:blank skips what every page of the
 * extension goes through (the chrome-extension: scheme, loading from the unpacked directory, the
 * extension's renderer process, its CSP). So that no bench file ships in the extension, the bench
 * loads a copy of the built extension with this one page added (launchPairedBrowser's extraPages);
 * everything else in the copy is the build, byte for byte.
 */
import type { Page } from 'playwright-core';
import { buildMessage } from '../test/harness/messages';
import { pollUntil, withTimeout } from '../test/harness/wait';
import type { Bench, Row } from './bench';
import { launchPairedBrowser, type BenchBrowser } from './browser';
import { summarize } from './stats';
import { startBenchHelper, startMailWorld } from './world';

const UNREAD = 60;
const PREVIEWS = 50;
const WARMUP = 3;
const STUCK_MS = 5_000;
const FLOOR_PAGE = 'bench-floor.html';
const SCRIPT_FLOOR_PAGE = 'bench-script-floor.html';
// Chromium times text for Element Timing on its block (an inline span's text counts for the
// block around it); the popup's subject is a flex item, so a block here too.
const FLOOR_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Mail notifier</title></head>
  <body><ul class="messages"><li><span class="subject" style="display: block" elementtiming="first-row">Cached message 59</span></li></ul></body>
</html>
`;

const SCRIPT_FLOOR_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Mail notifier</title></head>
  <body><ul class="messages"></ul><script src="bench-script-floor.js"></script></body>
</html>
`;
const SCRIPT_FLOOR_JS = `const subject = document.createElement('span');
subject.className = 'subject';
subject.style.display = 'block';
subject.textContent = 'Cached message 59';
document.querySelector('ul.messages').appendChild(document.createElement('li')).appendChild(subject);
`;

interface Mode {
  name: string;
  page: string;
  /** Rows the first paint must show. */
  rows: number;
  /** For a floor: what it is (a floor has no target). */
  floor?: string;
}
const SCRIPT_FLOOR: Mode = { name: 'floor with a script', page: SCRIPT_FLOOR_PAGE, rows: 1, floor: 'the same row put in by a 5-line script file' };
const MODES: Mode[] = [
  { name: 'cache only', page: 'popup.html', rows: PREVIEWS },
  { name: 'normal', page: 'popup.html', rows: PREVIEWS },
  { name: 'floor', page: FLOOR_PAGE, rows: 1, floor: 'a static page with one painted row, no script' },
  SCRIPT_FLOOR,
];

interface FirstItem {
  /** The first row is in the DOM. */
  inDom: number;
  /** The first row's subject was painted (Element Timing's renderTime). */
  painted: number;
  /** The page's first contentful paint: when it could first show anything. */
  fcp: number;
  rows: number;
}

/** Runs in the page before its scripts: marks the first row for Element Timing as it is inserted. */
function watchFirstItem(cacheOnly: boolean): void {
  const g = globalThis as unknown as { firstRow: Promise<{ inDom: number; rows: number }>; chrome: { runtime: { connect: () => unknown } } };
  if (cacheOnly) {
    // Function.prototype does nothing; arrow functions in an object literal would get names from
    // tsx through a helper the page does not have.
    const nothing = Function.prototype;
    const silent = { addListener: nothing, removeListener: nothing };
    g.chrome.runtime.connect = () => ({ onMessage: silent, onDisconnect: silent, postMessage: nothing, disconnect: nothing });
  }
  g.firstRow = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const subject = document.querySelector('ul.messages li .subject');
      if (!subject) return;
      observer.disconnect();
      // Set before the next paint, so that paint reports it.
      subject.setAttribute('elementtiming', 'first-row');
      resolve({ inDom: performance.now(), rows: document.querySelectorAll('ul.messages li').length });
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

/** In the page: the first row's times, once both paint entries have been reported. */
async function firstItemTimes(): Promise<FirstItem> {
  const { inDom, rows } = await (globalThis as unknown as { firstRow: Promise<{ inDom: number; rows: number }> }).firstRow;
  // Paint entries are reported a little after their frame. (No named inner functions: tsx would
  // wrap them in a helper the page does not have.)
  const [fcp, row] = await Promise.all((['first-contentful-paint', 'first-row'] as const).map((name) => new Promise<PerformanceEntry>((resolve) => {
    new PerformanceObserver((list) => {
      const found = list.getEntries().find((e) => e.name === name || (e as PerformanceEntry & { identifier?: string }).identifier === name);
      if (found) resolve(found);
    }).observe({ type: name === 'first-row' ? 'element' : 'paint', buffered: true });
  })));
  return { inDom, painted: (row as PerformanceEntry & { renderTime: number }).renderTime, fcp: fcp.startTime, rows };
}

/** Waits until the background has written `count` previews to its IndexedDB cache. */
async function cacheFilled(browser: BenchBrowser, count: number): Promise<void> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    const cached = () => page.evaluate(() => new Promise<number>((resolve, reject) => {
      const open = indexedDB.open('mail-notifier-cache');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const counting = open.result.transaction('previews').objectStore('previews').count();
        counting.onsuccess = () => resolve(counting.result);
      };
    }));
    await pollUntil(async () => (await cached()) === count, { what: `${count} previews in the cache`, timeoutMs: 20_000, intervalMs: 100 });
  } finally {
    await page.close();
  }
}

/** The first row's times, or null when no row came within STUCK_MS (the popup stayed on "Connecting…"). */
async function openPopup(browser: BenchBrowser, mode: Mode): Promise<FirstItem | null> {
  const page: Page = await browser.context.newPage();
  try {
    await page.addInitScript(watchFirstItem, mode.name === 'cache only');
    await page.goto(`chrome-extension://${browser.extensionId}/${mode.page}`);
    return await withTimeout(page.evaluate(firstItemTimes), STUCK_MS, 'the first row').catch((err: Error) => {
      if (err.message.startsWith('timed out')) return null;
      throw err;
    });
  } finally {
    await page.close();
  }
}

export const popupBench: Bench = {
  name: 'popup',
  title: 'Popup first paint with 50 cached previews',
  async run({ quick, log }) {
    const opens = quick ? 8 : 40;
    const world = await startMailWorld();
    for (let i = 0; i < UNREAD; i++) await world.append(buildMessage({ from: `Sender ${i} <s${i}@example.test>`, subject: `Cached message ${i}`, text: `A preview snippet for message ${i}, long enough to wrap on two lines in the popup's list.` }));
    const helper = await startBenchHelper(world, { via: 'direct', name: 'popup' });
    const browser = await launchPairedBrowser(helper, { [FLOOR_PAGE]: FLOOR_HTML, [SCRIPT_FLOOR_PAGE]: SCRIPT_FLOOR_HTML, 'bench-script-floor.js': SCRIPT_FLOOR_JS });
    try {
      await browser.badgeBecomes(String(UNREAD));
      await cacheFilled(browser, PREVIEWS);
      // One open of each mode in turn, so that a change in the machine's load weighs on all alike.
      const runs = new Map<Mode, (FirstItem | null)[]>(MODES.map((mode) => [mode, []]));
      for (let i = 0; i < WARMUP + opens; i++) for (const mode of MODES) runs.get(mode)!.push(await openPopup(browser, mode));
      const rows: Row[] = [];
      const painted = new Map<Mode, (number | null)[]>();
      for (const mode of MODES) {
        const measured = runs.get(mode)!.slice(WARMUP).filter((r): r is FirstItem => r !== null);
        const stuck = opens - measured.length;
        painted.set(mode, runs.get(mode)!.slice(WARMUP).map((r) => r?.painted ?? null));
        log(`${mode.name}: painted at ${measured.map((r) => r.painted.toFixed(1)).join(' ')} ms; ${stuck} stuck; rows at first paint ${[...new Set(measured.map((r) => r.rows))].join('/')}`);
        if (measured.some((r) => r.rows !== mode.rows)) throw new Error(`the first paint did not show ${mode.rows} rows`);
        const times = summarize(measured.map((r) => r.painted));
        const figure = `p50 ${times.p50.toFixed(1)} / p95 ${times.p95.toFixed(1)} ms (row in DOM: p50 ${summarize(measured.map((r) => r.inDom)).p50.toFixed(1)} ms; page's first paint, FCP: p50 ${summarize(measured.map((r) => r.fcp)).p50.toFixed(1)} ms); no row within ${STUCK_MS / 1000} s: ${stuck}`;
        rows.push({ measure: mode.floor ? `${mode.name}: ${mode.floor} (${mode.page}, ${opens} opens)` : `open popup.html → first row painted, ${mode.name} (${opens} opens, ${PREVIEWS} rows)`, figure });
      }
      // The target: each popup mode against the script floor, opened in turns with it.
      const floor = painted.get(SCRIPT_FLOOR)!;
      const floorTimes = summarize(floor.filter((t): t is number => t !== null));
      for (const mode of MODES.filter((m) => !m.floor)) {
        const times = painted.get(mode)!;
        const stuck = times.filter((t) => t === null).length;
        const popup = summarize(times.filter((t): t is number => t !== null));
        const [p50, p95] = [popup.p50 - floorTimes.p50, popup.p95 - floorTimes.p95];
        const paired = summarize(times.flatMap((t, i) => (t === null || floor[i] === null ? [] : [t - floor[i]!])));
        rows.push({
          measure: `popup − script floor, ${mode.name}: first row painted, percentile minus the floor's percentile (same run, in turns)`,
          figure: `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (open by open, popup − the floor's open beside it: p50 ${paired.p50.toFixed(1)} / p95 ${paired.p95.toFixed(1)} ms)`,
          target: 'p50 ≤ 10 ms, p95 ≤ 20 ms',
          met: stuck === 0 && p50 <= 10 && p95 <= 20,
        });
      }
      return rows;
    } finally {
      await browser.close();
      await helper.stop();
      await world.close();
    }
  },
};
