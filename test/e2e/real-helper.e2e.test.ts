/**
 * The whole product in real Chromium: the built extension, the real helper process, a real
 * Dovecot, and another IMAP client playing "another device". Screenshots of what the user sees go
 * to test-artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { recordSecret } from '../harness/test-log';
import { launchWithExtension, type ExtensionBrowser } from './chromium';
import { freePort, startHelperProcess, type HelperProcess } from './helper-process';

const SCREENSHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const USER = 'frank';
const PASS = recordSecret('e2e-dovecot-pass-77');
const poll = { timeout: 20_000, interval: 100 };

let dovecot: DovecotServer;
let other: OtherDevice;
let home: string;
let helperPort: number;
let helper: HelperProcess;
let browser: ExtensionBrowser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }] });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  await other.append('INBOX', buildMessage({ from: 'Grace <grace@example.test>', subject: 'Already waiting', text: 'This one was there before.' }));
  home = await mkdtemp(join(tmpdir(), 'mn-e2e-'));
  helperPort = await freePort();
  helper = await startHelperProcess({ home, port: helperPort, name: 'e2e' });
  browser = await launchWithExtension();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await helper?.stop();
  await other?.close();
  await dovecot?.stop();
  await rm(home, { recursive: true, force: true });
});

const badgeText = async () => (await browser.badge()).text;

async function notificationIds(): Promise<string[]> {
  return browser.worker.evaluate(async () => {
    const chrome = (globalThis as unknown as { chrome: { notifications: { getAll(): Promise<Record<string, boolean>> } } }).chrome;
    return Object.keys(await chrome.notifications.getAll());
  });
}

/** Everything the extension keeps: storage.local and the IndexedDB cache, as one string. */
async function everythingStored(): Promise<string> {
  const page = await browser.open('popup');
  const dump = await page.evaluate(async () => {
    const chrome = (globalThis as unknown as { chrome: { storage: { local: { get(): Promise<object> } } } }).chrome;
    const local = await chrome.storage.local.get();
    const databases = await indexedDB.databases();
    const rows: unknown[] = [];
    for (const { name } of databases) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => ok(request.result);
        request.onerror = () => fail(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((ok) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => ok(request.result);
        });
        rows.push({ name, store, all });
      }
      db.close();
    }
    return JSON.stringify({ local, rows });
  });
  await page.close();
  return dump;
}

describe('the extension with the real helper and Dovecot', () => {
  it('pairs, adds the account, and shows the unread count', { timeout: 90_000 }, async () => {
    const [, code] = await helper.waitForOutput(/pairing code\s+([A-Z2-9]{4}-[A-Z2-9]{4})/);
    recordSecret(code);
    const settings = await browser.open('options');
    await settings.getByLabel('Helper address').fill(`127.0.0.1:${helperPort}`);
    await settings.getByLabel('Pairing code').fill(code);
    await settings.getByRole('button', { name: 'Pair', exact: true }).click();
    await settings.getByText(/^Paired\./).waitFor();
    await expect.poll(badgeText, poll).toBe('+');

    await settings.getByLabel('Other IMAP server').check();
    await settings.getByLabel('IMAP server', { exact: true }).fill('127.0.0.1');
    await settings.getByLabel('Port', { exact: true }).fill(String(dovecot.port));
    await settings.getByLabel('TLS (encrypted connection)').uncheck();
    await settings.getByLabel('User name').fill(USER);
    await settings.getByLabel('Password', { exact: true }).fill(PASS);
    await settings.getByRole('button', { name: 'Test and save' }).click();
    await settings.getByText(/^Signed in and saved/).waitFor({ timeout: 20_000 });
    expect(await settings.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await expect.poll(badgeText, poll).toBe('1');
    await settings.screenshot({ path: resolve(SCREENSHOTS, 'settings-account.png'), fullPage: true });
    await settings.close();
  });

  it('new mail from another device raises the badge and makes exactly one notification', { timeout: 60_000 }, async () => {
    const before = await notificationIds();
    await other.append('INBOX', buildMessage({ from: 'Heidi <heidi@example.test>', subject: 'Fresh from the server', text: 'Hello from the other device. Read me in the popup.' }));
    await expect.poll(badgeText, poll).toBe('2');
    await expect.poll(async () => (await notificationIds()).length - before.length, poll).toBe(1);
    // No second notification for the same message, even after the badge settled.
    await other.append('INBOX', buildMessage({ subject: 'A second one', text: 'two' }));
    await expect.poll(badgeText, poll).toBe('3');
    expect((await notificationIds()).length - before.length).toBe(2);
  });

  it('the popup lists it, opening shows its text and marks it read on the server', { timeout: 60_000 }, async () => {
    const popup = await browser.open('popup');
    await popup.setViewportSize({ width: 380, height: 560 });
    const row = popup.getByRole('button', { name: 'Heidi: Fresh from the server' });
    await row.waitFor();
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup-list.png') });
    await row.click();
    await popup.locator('.body-text').waitFor();
    expect(await popup.locator('.body-text').textContent()).toContain('Hello from the other device.');
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup-reading.png') });
    await expect.poll(badgeText, poll).toBe('2');
    const uids = await other.listUids('INBOX');
    const flags = await Promise.all(uids.map((uid) => other.flagsOf('INBOX', uid)));
    expect(flags.filter((f) => f.includes('\\Seen'))).toHaveLength(1);
    await popup.close();
  });

  it('hostile markup in subject and body shows as inert text', { timeout: 60_000 }, async () => {
    const subject = 'Hi <script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    await other.append('INBOX', buildMessage({
      from: 'Mallory <mallory@example.test>',
      subject,
      html: '<p>Click <a href="javascript:alert(1)">here</a></p><script>window.pwned=3</script><img src=x onerror="window.pwned=4"><p>or https://example.com/ok</p>',
    }));
    await expect.poll(badgeText, poll).toBe('3');
    const popup = await browser.open('popup');
    const row = popup.getByRole('button', { name: /^Mallory: Hi / });
    await row.waitFor();
    await row.click();
    await popup.locator('.body-text').waitFor();
    expect(await popup.locator('script:not([src]), .reader img, .list img').count()).toBe(0);
    expect(await popup.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    const hrefs = await popup.locator('.body-text a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs.every((href) => href?.startsWith('https://'))).toBe(true);
    await popup.close();
  });

  it('nothing the extension stores holds the password', { timeout: 30_000 }, async () => {
    const stored = await everythingStored();
    expect(stored).toContain('A second one'); // the dump really covers the cache of unread previews
    expect(stored).not.toContain(PASS);
  });

  it('stopping the helper shows the disconnected look within seconds and the cached mail; restarting recovers without pairing again', { timeout: 90_000 }, async () => {
    await helper.stop();
    const stoppedAt = Date.now();
    await expect.poll(badgeText, { timeout: 10_000, interval: 100 }).toBe('off');
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const popup = await browser.open('popup');
    await popup.setViewportSize({ width: 380, height: 560 });
    await popup.getByRole('alert').first().waitFor();
    // Offline, the popup still shows the mail from the cache.
    await popup.getByRole('button', { name: 'Sender: A second one' }).waitFor();
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup-helper-off.png') });
    await popup.close();

    helper = await startHelperProcess({ home, port: helperPort, name: 'e2e' });
    await expect.poll(badgeText, { timeout: 45_000, interval: 200 }).toBe('2');
    expect(helper.output()).not.toMatch(/No browser is paired yet/);
  });
});
