import { describe, expect, it } from 'vitest';
import { checkUpgrade } from '../../helper/server/upgrade-check';

const PORT = 47913;
const chrome = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`;
const firefox = 'moz-extension://0b3c5d2e-8f41-4a6b-9c7d-1e2f3a4b5c6d';
const safari = 'safari-web-extension://0B3C5D2E-8F41-4A6B-9C7D-1E2F3A4B5C6D';

describe('checkUpgrade', () => {
  it.each([
    [chrome, `127.0.0.1:${PORT}`],
    [firefox, `[::1]:${PORT}`],
    [safari, `localhost:${PORT}`],
    ['safari-web-extension://com.example.mailnotifier.extension', `LocalHost:${PORT}`],
  ])('accepts %s with Host %s', (origin, host) => {
    expect(checkUpgrade({ origin, host, port: PORT })).toEqual({ ok: true });
  });

  it.each([
    ['http://localhost:1234', 'not a browser extension'],
    ['https://example.com', 'not a browser extension'],
    [`http://127.0.0.1:${PORT}`, 'not a browser extension'],
    ['null', 'null'],
    [undefined, 'no Origin'],
    [`chrome-extension://${'abcdefghijklmnoq'.repeat(2)}`, 'not a browser extension'],
    [`chrome-extension://${'abcdefghijklmnop'.repeat(2)}/page.html`, 'not a browser extension'],
    [`chrome-extension://${'ABCDEFGHIJKLMNOP'.repeat(2)}`, 'not a browser extension'],
    ['moz-extension://not-a-uuid', 'not a browser extension'],
    [`${chrome}.evil.example`, 'not a browser extension'],
    ['file://', 'not a browser extension'],
  ])('refuses Origin %s', (origin, why) => {
    const verdict = checkUpgrade({ origin, host: `127.0.0.1:${PORT}`, port: PORT });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(why);
  });

  it.each([
    `evil.example:${PORT}`,
    '127.0.0.1',
    `127.0.0.1:${PORT + 1}`,
    `127.0.0.2:${PORT}`,
    `localhost.evil.example:${PORT}`,
    `[::1]:${PORT}.evil.example`,
    `0.0.0.0:${PORT}`,
    `192.168.1.10:${PORT}`,
    undefined,
  ])('refuses Host %s (DNS rebinding)', (host) => {
    const verdict = checkUpgrade({ origin: chrome, host, port: PORT });
    expect(verdict.ok).toBe(false);
  });
});
