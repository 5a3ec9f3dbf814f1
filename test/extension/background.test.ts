import './english';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { RECONNECT_ALARM } from '../../extension/background';
import { notificationId } from '../../extension/notifications';
import { settingsIntents } from '../../extension/settings-intents';
import { boot } from './background-harness';
import { account, flush, portPair, preview } from './fakes';
import { keyOf } from '../../protocol';

describe('background', () => {
  it('connects to the stored address, shows "off" while the helper is down, then the unread count', async () => {
    const b = await boot({ token: 'tok', settings: { helperAddress: 'ws://127.0.0.1:5555' } });
    expect(b.sockets.current.url).toBe('ws://127.0.0.1:5555');
    expect(b.alarms).toEqual([RECONNECT_ALARM]);
    b.sockets.current.drop();
    await flush();
    expect(b.badge.text).toBe('off');
    b.onAlarm.fire({ name: RECONNECT_ALARM });
    expect(b.sockets.sockets).toHaveLength(2);
    await b.helperAccepts({ type: 'snapshot', account: account({ unreadCount: 3 }), previews: [preview(1), preview(2), preview(3)] });
    expect(b.badge.text).toBe('3');
    expect(b.badge.title).toContain('iCloud: 3 unread');
  });

  it('pairs from the settings page: saves the address, stores the token, then authenticates', async () => {
    const b = await boot();
    b.sockets.current.hello();
    await flush();
    expect(b.badge.text).toBe('pair');
    const ui = b.openUi();
    await flush();
    expect(ui.snapshots.at(-1)?.state.connection.phase).toBe('not-paired');
    const on = settingsIntents(ui.link, () => ui.snapshots.at(-1)?.settings);
    const paired = on.pair('ws://localhost:47913', ' 123456 ');
    await flush();
    expect(b.sockets.current.url).toBe('ws://localhost:47913');
    b.sockets.current.hello();
    await flush();
    expect(b.sockets.current.last('pair')).toMatchObject({ code: '123456' });
    b.sockets.current.reply('pair', { token: 'fresh' });
    await expect(paired).resolves.toBeUndefined();
    expect(await b.storage.get('token')).toBe('fresh');
    expect(((await b.storage.get('settings')) as { helperAddress: string }).helperAddress).toBe('ws://localhost:47913');
    await b.helperAccepts();
    expect(b.badge.text).toBe('+'); // paired, no account yet
  });

  it('passes the password to the helper once and never writes it anywhere', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts();
    const ui = b.openUi();
    const on = settingsIntents(ui.link, () => undefined);
    const password = 'abcd-efgh-ijkl-mnop';
    const added = on.addAccount({ kind: 'icloud', host: 'imap.mail.me.com', port: 993, tls: true, username: 'me@icloud.com', password });
    await flush();
    expect(b.sockets.current.last('add-account')).toMatchObject({ account: { password } });
    b.sockets.current.reply('add-account', { account: account() });
    await expect(added).resolves.toMatchObject({ id: 'icloud' });
    const setPw = on.setPassword('icloud', password);
    await flush();
    b.sockets.current.reply('update-account', { account: account() });
    await setPw;
    expect(b.storage.dump()).not.toContain(password);
    expect(b.storage.dump()).not.toContain('abcdefghijklmnop');
    expect(JSON.stringify(await b.cache.read())).not.toContain(password);
  });

  it("answers a failed request with the helper's words, and requests before pairing with what to do", async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account(), previews: [] });
    const ui = b.openUi();
    const retry = ui.link.helper({ type: 'retry-login', accountId: 'icloud' });
    await flush();
    b.sockets.current.receive({ type: 'error', id: b.sockets.current.last('retry-login').id, code: 'rate-limited', message: 'Wait 15 minutes before trying again.' });
    await expect(retry).rejects.toThrow('Wait 15 minutes before trying again.');
    await expect(ui.link.call({ type: 'save-settings', change: { helperAddress: 'ws://10.0.0.1:1' } })).rejects.toThrow('only runs on this computer');
  });

  it('answers commands a page may not send with an error (never silence), and refuses ports from elsewhere', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts();
    const { pair } = b.openUi();
    const replies: unknown[] = [];
    pair.ui.onMessage.addListener((m) => (m as { kind: string }).kind === 'reply' && replies.push(m));
    pair.ui.postMessage({ kind: 'call', id: 1, command: { type: 'helper', call: { type: 'auth', protocol: 1, token: 'x' } } });
    pair.ui.postMessage({ kind: 'call', id: 2, command: { type: 'helper', call: { type: 'delete', accountId: 'BAD ID' } } });
    // The shape of the popup's old bug: a whole preview where the key belongs.
    const whole = { ...preview(3), ...keyOf(preview(3)) };
    pair.ui.postMessage({ kind: 'call', id: 3, command: { type: 'helper', call: { type: 'archive', accountId: 'icloud', key: whole } } });
    await flush();
    expect(replies).toEqual([1, 2, 3].map((id) => ({ kind: 'reply', id, ok: false, message: 'The extension refused this request (an internal error). Reload the extension; if it keeps happening, report it.' })));
    expect(b.sockets.current.sent.map((m) => m.type)).toEqual(['auth', 'ping']);

    const stranger = portPair('other-extension');
    let disconnected = false;
    stranger.ui.onDisconnect.addListener(() => (disconnected = true));
    b.background.hub.accept(stranger.background);
    expect(disconnected).toBe(true);
  });

  it('notifies for deltas only, never for snapshots; a click opens the popup or falls back to webmail', async () => {
    const b = await boot({ token: 'tok', openPopupFails: true });
    await b.helperAccepts({ type: 'snapshot', account: account({ unreadCount: 1 }), previews: [preview(1)] });
    expect(b.shown).toEqual([]);
    b.sockets.current.receive({ type: 'delta', accountId: 'icloud', added: [preview(2)], removed: [], notify: [keyOf(preview(2))], unreadCount: 2 });
    await flush();
    expect(b.shown.map((s) => s.options.title)).toEqual(['Sender 2']);
    expect(b.badge.text).toBe('2');
    b.onClicked.fire(b.shown[0].id);
    await flush();
    expect(b.cleared).toEqual([b.shown[0].id]);
    expect(b.tabs).toEqual(['https://www.icloud.com/mail/']);
  });

  it('"Mark read" on a notification marks exactly its messages', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account(), previews: [] });
    b.onButtonClicked.fire(notificationId({ accountId: 'icloud', keys: [keyOf(preview(4))] }), 0);
    await flush();
    expect(b.sockets.current.last('set-seen')).toMatchObject({ accountId: 'icloud', keys: [keyOf(preview(4))], seen: true });
  });

  it('follows an address written to storage by anyone (the E2E test does this)', async () => {
    const b = await boot({ token: 'tok' });
    await b.storage.set('settings', { helperAddress: 'ws://127.0.0.1:6000' });
    b.onStorageChanged.fire(['settings']);
    await flush();
    expect(b.sockets.current.url).toBe('ws://127.0.0.1:6000');
  });

  it('unpairing clears the token and the cached previews', async () => {
    const b = await boot({ token: 'tok' });
    await b.helperAccepts({ type: 'snapshot', account: account({ unreadCount: 1 }), previews: [preview(1)] });
    await flush();
    expect((await b.cache.read()).map((a) => a.status.id)).toEqual(['icloud']);
    const ui = b.openUi();
    await ui.link.call({ type: 'unpair' });
    expect(await b.storage.get('token')).toBeUndefined();
    expect(await b.cache.read()).toEqual([]);
    expect(b.background.store.state.accounts).toEqual([]);
  });
});
