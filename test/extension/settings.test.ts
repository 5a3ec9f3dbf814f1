import './english';
import { describe, expect, it } from 'vitest';
import { normalizeAppPassword } from '../../extension/password';
import { checkHelperAddress, defaultSettings, loadSettings, parseSettings, saveSettings, webmailUrlFor } from '../../extension/settings';
import { MemoryStore, account } from './fakes';

describe('settings', () => {
  it('fills defaults and drops unreadable stored values one field at a time', () => {
    expect(parseSettings(undefined)).toEqual(defaultSettings);
    expect(defaultSettings.helperAddress).toBe('ws://127.0.0.1:47913');
    const parsed = parseSettings({ notifications: false, quietHours: { enabled: true, start: '25:00', end: '07:00' }, markReadOnOpen: 'yes', extra: 1 });
    expect(parsed.notifications).toBe(false);
    expect(parsed.quietHours).toEqual(defaultSettings.quietHours);
    expect(parsed.markReadOnOpen).toBe(true);
    expect(parsed).not.toHaveProperty('extra');
  });

  it('accepts only loopback ws:// helper addresses', () => {
    expect(checkHelperAddress(' ws://localhost:5000 ')).toEqual({ ok: true, address: 'ws://localhost:5000' });
    // Not an IPv6 literal: the extension's CSP cannot allow one (localhost reaches ::1).
    expect(checkHelperAddress('ws://[::1]:47913')).toMatchObject({ ok: false, message: expect.stringContaining('use 127.0.0.1 or localhost') });
    // As the helper prints it: host:port, no scheme.
    expect(checkHelperAddress('127.0.0.1:47999')).toEqual({ ok: true, address: 'ws://127.0.0.1:47999' });
    expect(checkHelperAddress('ws://192.168.1.2:47913')).toMatchObject({ ok: false, message: expect.stringContaining('only runs on this computer') });
    expect(checkHelperAddress('wss://127.0.0.1:47913')).toMatchObject({ ok: false });
    expect(checkHelperAddress('http://127.0.0.1:47913')).toMatchObject({ ok: false });
    expect(checkHelperAddress('ws://127.0.0.1:47913/path')).toMatchObject({ ok: false });
    expect(checkHelperAddress('nonsense')).toMatchObject({ ok: false });
  });

  it('saves valid changes, refuses invalid ones whole, with a sentence', async () => {
    const store = new MemoryStore();
    await saveSettings(store, { markReadOnOpen: false, webmailUrls: { work: 'https://mail.example.com/', old: '' } });
    expect(await loadSettings(store)).toMatchObject({ markReadOnOpen: false, webmailUrls: { work: 'https://mail.example.com/' } });
    await expect(saveSettings(store, { webmailUrls: { work: 'javascript:alert(1)' } })).rejects.toThrow('http:// or https://');
    await expect(saveSettings(store, { quietHours: { enabled: true, start: '7', end: '8' } })).rejects.toThrow('Quiet hours need');
    await expect(saveSettings(store, { helperAddress: 'ws://example.com:1' })).rejects.toThrow('only runs on this computer');
    expect(await loadSettings(store)).toMatchObject({ markReadOnOpen: false, helperAddress: 'ws://127.0.0.1:47913' });
  });

  it('picks the webmail link: the helper’s, the user’s, iCloud’s, or none', () => {
    const s = { ...defaultSettings, webmailUrls: { work: 'https://mail.example.com/' } };
    expect(webmailUrlFor(account(), s)).toBe('https://www.icloud.com/mail/');
    expect(webmailUrlFor(account({ id: 'work', kind: 'imap' }), s)).toBe('https://mail.example.com/');
    expect(webmailUrlFor(account({ id: 'other', kind: 'imap' }), s)).toBeUndefined();
    expect(webmailUrlFor(account({ id: 'other', kind: 'imap', webmailUrl: 'javascript:x' }), s)).toBeUndefined();
    expect(webmailUrlFor(account({ id: 'demo', kind: 'demo', webmailUrl: 'http://127.0.0.1:1/' }), s)).toBe('http://127.0.0.1:1/');
  });
});

describe('app-specific password shape', () => {
  it('accepts four groups of four letters, dashes optional, and gives the dashed form', () => {
    expect(normalizeAppPassword('abcd-efgh-ijkl-mnop')).toBe('abcd-efgh-ijkl-mnop');
    expect(normalizeAppPassword('ABCDefghijklmnop')).toBe('abcd-efgh-ijkl-mnop');
    expect(normalizeAppPassword(' abcd efgh ijkl mnop ')).toBe('abcd-efgh-ijkl-mnop');
  });
  it('refuses anything else, like an Apple ID password', () => {
    for (const bad of ['Secret123!', 'abcd-efgh-ijkl', 'abcd-efgh-ijkl-mno1', 'abcd--efgh-ijkl-mnop', '']) expect(normalizeAppPassword(bad)).toBeUndefined();
  });
});
