/**
 * The 20-second ping keeps the MV3 service worker, and so its WebSocket, alive. Playwright's
 * DevTools attachment would keep the worker alive by itself, so the proof runs Chromium directly
 * (`--headless=new`, no automation), and reads the answer from the helper's own log: the socket
 * stayed open past 60 s, with pings flowing. Without them Chrome stops the worker after ~30 s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordSecret } from '../harness/test-log';
import { withTimeout } from '../harness/wait';
import { CHROMIUM, CHROMIUM_FLAGS, EXTENSION_DIR } from './chromium';
import { freePort, startHelperProcess, type HelperProcess } from './helper-process';

const HOLD_MS = 65_000;
let home: string;
let profile: string;
let helper: HelperProcess;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mn-ping-home-'));
  profile = await mkdtemp(join(tmpdir(), 'mn-ping-profile-'));
  helper = await startHelperProcess({ home, port: await freePort(), name: 'ping' });
});

afterAll(async () => {
  await helper?.stop();
  await rm(home, { recursive: true, force: true });
  await rm(profile, { recursive: true, force: true });
});

const extensionArgs = [...CHROMIUM_FLAGS, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`];

it('keeps the socket open past 60 s in a Chromium nobody is attached to', { timeout: 150_000 }, async () => {
  // 1. Pair once with Playwright, in a profile that outlives this browser.
  const [, code] = await helper.waitForOutput(/pairing code\s+([A-Z2-9]{4}-[A-Z2-9]{4})/);
  recordSecret(code);
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: extensionArgs });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const settings = await context.newPage();
  await settings.goto(`chrome-extension://${new URL(worker.url()).host}/options.html`);
  await settings.getByLabel('Helper address').fill(`127.0.0.1:${helper.port}`);
  await settings.getByLabel('Pairing code').fill(code);
  await settings.getByRole('button', { name: 'Pair', exact: true }).click();
  await settings.getByText(/^Paired\./).waitFor();
  await context.close();
  await helper.waitForOutput(/connection closed/);
  const before = helper.output().length;

  // 2. The same profile in a Chromium started directly: no DevTools, nothing keeps the worker up but the pings.
  const browser = spawn(CHROMIUM, ['--headless=new', `--user-data-dir=${profile}`, ...extensionArgs, 'about:blank'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => browser.on('exit', resolve));
  try {
    await helper.waitForOutput(/authenticated/, 30_000, before);
    // Real time is the point here: hold well past the ~30 s after which Chrome stops an idle worker.
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    expect(helper.output().slice(before)).not.toMatch(/connection closed/);
  } finally {
    browser.kill('SIGTERM');
    await withTimeout(exited, 15_000, 'chromium to exit');
  }
  const closed = await helper.waitForLog((entry) => entry.msg === 'connection closed', 'the connection closed', 20_000, before);
  expect(closed.openForMs).toBeGreaterThan(60_000);
  expect(closed.pings).toBeGreaterThanOrEqual(3);
});
