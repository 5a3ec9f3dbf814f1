/**
 * Smoke test of the built Chrome extension in real Chromium against a tiny fake helper
 * (fake-helper.ts): the badge shows "off" while nothing
 * listens, "pair" once the address points at a helper, the unread count after pairing through the
 * settings page; the popup renders a hostile body inert. Screenshots go to test-artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Preview } from '../../protocol';
import { launchWithExtension, type ExtensionBrowser } from './chromium';
import { startFakeHelper, type FakeHelper } from './fake-helper';

const SCREENSHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const CODE = '424242';
const TOKEN = 'smoke-test-token';

const preview = (uid: number, from: string, subject: string): Preview => ({
  key: { mailbox: 'INBOX', uidValidity: 1, uid },
  from: { name: from, address: `${from.toLowerCase()}@example.com` },
  subject,
  date: Date.now() - uid * 60_000,
  snippet: `About ${subject.toLowerCase()}…`,
  seen: false,
});
const ACCOUNT = {
  id: 'icloud',
  label: 'iCloud',
  kind: 'icloud' as const,
  host: 'imap.mail.me.com',
  username: 'me@icloud.com',
  state: 'idle' as const,
  unreadCount: 3,
  passwordStore: 'keychain' as const,
};
const PREVIEWS = [preview(1, 'Alice', 'Lunch on Friday'), preview(2, 'Bob', 'Quarterly report'), preview(3, 'Carol', 'Photos from the trip')];
const HOSTILE_TEXT = 'Hi <script>alert(1)</script> <img src=x onerror=alert(1)> see https://example.com/safe and javascript:alert(2)';

describe('the built extension in Chromium', () => {
  let helper: FakeHelper;
  let browser: ExtensionBrowser;
  const badgeText = async () => (await browser.badge()).text;
  const poll = { timeout: 20_000, interval: 100 };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    helper = await startFakeHelper({
      code: CODE,
      token: TOKEN,
      accounts: [{ status: ACCOUNT, previews: PREVIEWS }],
      fallbackBody: (p) => ({ key: p.key, from: p.from, to: [{ address: 'me@icloud.com' }], toTotal: 1, subject: p.subject, date: p.date, text: HOSTILE_TEXT, truncated: false, attachments: [], attachmentTotal: 0 }),
    });
    browser = await launchWithExtension();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await helper?.close();
  });

  it('shows "off" while no helper listens, "pair" at a helper, and the unread count after pairing', { timeout: 60_000 }, async () => {
    // Nothing listens on the default address in the test machine.
    await expect.poll(badgeText, poll).toBe('off');

    // The address is a setting in storage.local; the background follows it at once.
    await browser.worker.evaluate(
      (address) => (globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } }).chrome.storage.local.set({ settings: { helperAddress: address } }),
      `ws://127.0.0.1:${helper.port}`,
    );
    await expect.poll(badgeText, poll).toBe('pair');

    const settings = await browser.open('options');
    await settings.getByLabel('Pairing code').fill(CODE);
    await settings.getByRole('button', { name: 'Pair', exact: true }).click();
    await settings.getByText(/^Paired\./).waitFor();
    await expect.poll(badgeText, poll).toBe('3');
    expect((await browser.badge()).title).toContain('iCloud: 3 unread');
    await settings.getByText(`Paired with the helper at 127.0.0.1:${helper.port} (helper fake-0.0.1).`).waitFor();
    await settings.screenshot({ path: resolve(SCREENSHOTS, 'settings.png'), fullPage: true });

    // Every connection the extension opened carried its own extension origin; others are refused.
    expect(new Set(helper.origins)).toEqual(new Set([`chrome-extension://${browser.extensionId}`]));
    const stranger = new WebSocket(`ws://127.0.0.1:${helper.port}`);
    await new Promise((r) => stranger.once('error', r));
    expect(helper.refused()).toBe(1);
    expect(helper.invalid).toEqual([]);

    helper.broadcast({ type: 'delta', accountId: 'icloud', added: [preview(4, 'Dave', 'New thing')], removed: [], notify: [{ mailbox: 'INBOX', uidValidity: 1, uid: 4 }], unreadCount: 4 });
    await expect.poll(badgeText, poll).toBe('4');
  });

  it('lists mail in the popup and renders a hostile body as inert text', { timeout: 60_000 }, async () => {
    const popup = await browser.open('popup');
    await popup.setViewportSize({ width: 380, height: 560 });
    await popup.getByRole('button', { name: 'Alice: Lunch on Friday' }).waitFor();
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup.png') });
    await popup.emulateMedia({ colorScheme: 'dark' });
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup-dark.png') });
    await popup.emulateMedia({ colorScheme: 'light' });

    await popup.keyboard.press('j'); // from Alice's (the newest) to Bob's
    await popup.keyboard.press('Enter');
    await popup.locator('.body-text').waitFor();
    expect(await popup.locator('.body-text').textContent()).toContain('<script>alert(1)</script>');
    expect(await popup.locator('body script, body img').count()).toBe(0);
    const links = popup.locator('.body-text a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://example.com/safe');
    await popup.screenshot({ path: resolve(SCREENSHOTS, 'popup-message.png') });
    await popup.keyboard.press('Escape');
    await popup.getByRole('button', { name: 'Bob: Quarterly report' }).waitFor();
  });
});
