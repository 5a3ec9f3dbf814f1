import './english';
import { describe, expect, it } from 'vitest';
import {
  HANDSHAKE_TIMEOUT_MS,
  HelperConnection,
  HelperError,
  MAX_BACKOFF_MS,
  PING_INTERVAL_MS,
  PING_TIMEOUT_MS,
  backoffDelay,
} from '../../extension/connection';
import type { StoreEvent } from '../../extension/state';
import { TokenStore } from '../../extension/storage';
import { PROTOCOL_VERSION, versionMismatchMessage } from '../../protocol';
import { FakeClock, MemoryStore, account, flush, socketFactory } from './fakes';

async function setup(options: { token?: string; random?: number } = {}) {
  const store = new MemoryStore();
  if (options.token) await store.set('token', options.token);
  const clock = new FakeClock();
  const sockets = socketFactory();
  const events: StoreEvent[] = [];
  const connection = new HelperConnection({
    createSocket: sockets.create,
    clock,
    random: () => options.random ?? 0.5,
    tokens: new TokenStore(store),
    clientName: 'Test browser',
    address: 'ws://127.0.0.1:47913',
    emit: (e) => events.push(e),
  });
  const phases = () => events.filter((e) => e.type === 'phase').map((e) => (e.type === 'phase' ? e.connection.phase : ''));
  return { store, clock, sockets, events, connection, phases };
}

/** Connects with a token through hello, auth and the first ping. */
async function ready(options: { token?: string } = {}) {
  const t = await setup({ token: 'tok', ...options });
  t.connection.start();
  t.sockets.current.hello();
  await flush();
  t.sockets.current.reply('auth');
  await flush();
  t.sockets.current.reply('ping', { at: 1 });
  await flush();
  return t;
}

describe('helper connection: handshake', () => {
  it("learns the helper's version from the auth result: today's helper tells no unpaired peer in hello", async () => {
    const t = await setup({ token: 'tok' });
    t.connection.start();
    t.sockets.current.open();
    t.sockets.current.receive({ type: 'hello', protocol: PROTOCOL_VERSION });
    await flush();
    t.sockets.current.reply('auth', { helperVersion: '2.0.0' });
    await flush();
    expect(t.connection.isReady).toBe(true);
    expect(t.events).toContainEqual({ type: 'phase', connection: { phase: 'connected' }, helperVersion: '2.0.0' });
  });

  it('authenticates with the stored token, then pings once as a sync marker and passes events on', async () => {
    const t = await setup({ token: 'tok' });
    t.connection.start();
    expect(t.sockets.current.url).toBe('ws://127.0.0.1:47913');
    t.sockets.current.hello();
    await flush();
    expect(t.sockets.current.last('auth')).toMatchObject({ protocol: PROTOCOL_VERSION, token: 'tok' });
    expect(t.events).toContainEqual({ type: 'phase', connection: { phase: 'connecting' }, helperVersion: '1.2.3' });
    t.sockets.current.reply('auth');
    await flush();
    expect(t.connection.isReady).toBe(true);
    expect(t.events.at(-1)).toEqual({ type: 'authenticated' });
    t.sockets.current.receive({ type: 'snapshot', account: account(), previews: [] });
    t.sockets.current.reply('ping', { at: 5 });
    await flush();
    expect(t.events.slice(-2).map((e) => e.type)).toEqual(['snapshot', 'synced']);
  });

  it('without a token only checks that the helper is there, then waits as "not paired"', async () => {
    const t = await setup();
    t.connection.start();
    t.sockets.current.hello();
    await flush();
    expect(t.sockets.current.closed).toBe(true);
    expect(t.sockets.current.sent).toEqual([]);
    expect(t.phases().at(-1)).toBe('not-paired');
    expect(t.clock.pending()).toEqual([]);
  });

  it('pairs with a code: stores the token the helper gives, then reconnects and authenticates with it', async () => {
    const t = await setup();
    t.connection.start();
    t.sockets.current.hello();
    await flush();
    const paired = t.connection.pair('123456');
    t.sockets.current.hello();
    await flush();
    expect(t.sockets.current.last('pair')).toMatchObject({ protocol: PROTOCOL_VERSION, code: '123456', clientName: 'Test browser' });
    t.sockets.current.reply('pair', { token: 'new-token' });
    await paired;
    await flush();
    expect(await t.store.get('token')).toBe('new-token');
    expect(t.sockets.sockets).toHaveLength(3);
    t.sockets.current.hello();
    await flush();
    expect(t.sockets.current.last('auth')).toMatchObject({ token: 'new-token' });
  });

  it("rejects a wrong pairing code with the helper's own words", async () => {
    const t = await setup();
    const paired = t.connection.pair('000000');
    t.sockets.current.hello();
    await flush();
    t.sockets.current.receive({ type: 'error', id: t.sockets.current.last('pair').id, code: 'bad-pairing-code', message: 'Wrong pairing code.' });
    await expect(paired).rejects.toMatchObject({ code: 'bad-pairing-code', message: 'Wrong pairing code.' });
    expect(await t.store.get('token')).toBeUndefined();
  });

  it('says how to start the helper when pairing finds it not running', async () => {
    const t = await setup();
    const paired = t.connection.pair('123456');
    t.sockets.current.drop();
    await expect(paired).rejects.toThrow(/Could not reach the helper at ws:\/\/127\.0\.0\.1:47913\. Start it with “npm start”/);
  });

  it('forgets a token the helper refuses and waits for pairing instead of retrying', async () => {
    const t = await setup({ token: 'old' });
    t.connection.start();
    t.sockets.current.hello();
    await flush();
    t.sockets.current.receive({ type: 'error', id: t.sockets.current.last('auth').id, code: 'bad-token', message: 'Unknown or revoked token: pair the extension again.' });
    t.sockets.current.drop(); // the helper closes after refusing
    await flush();
    expect(await t.store.get('token')).toBeUndefined();
    expect(t.events).toContainEqual({ type: 'unpaired' });
    expect(t.events.at(-1)).toMatchObject({ type: 'phase', connection: { phase: 'not-paired', reason: 'Unknown or revoked token: pair the extension again.' } });
    expect(t.phases()).not.toContain('helper-down');
    expect(t.clock.pending()).toEqual([]);
  });

  it('names the side to update when the protocol versions differ', async () => {
    const t = await setup({ token: 'tok' });
    t.connection.start();
    t.sockets.current.hello(PROTOCOL_VERSION + 1);
    await flush();
    expect(t.events.at(-1)).toEqual({
      type: 'phase',
      connection: { phase: 'version-mismatch', message: versionMismatchMessage(PROTOCOL_VERSION + 1, PROTOCOL_VERSION) },
    });
    expect(t.sockets.current.sent).toEqual([]);
    expect(t.sockets.current.closed).toBe(true);
    await expect(t.connection.request('ping', {})).rejects.toThrow('update the extension');
  });

  it('gives up a handshake that stalls and retries', async () => {
    const t = await setup({ token: 'tok' });
    t.connection.start();
    t.sockets.current.open(); // opened, but no hello
    await t.clock.advance(HANDSHAKE_TIMEOUT_MS);
    expect(t.sockets.sockets[0].closed).toBe(true);
    expect(t.phases().at(-1)).toBe('helper-down');
  });
});

describe('helper connection: staying alive', () => {
  it(`pings every ${PING_INTERVAL_MS / 1000} s while connected`, async () => {
    const t = await ready();
    const pings = () => t.sockets.current.sent.filter((m) => m.type === 'ping').length;
    expect(pings()).toBe(1);
    await t.clock.advance(PING_INTERVAL_MS - 1);
    expect(pings()).toBe(1);
    await t.clock.advance(1);
    expect(pings()).toBe(2);
    t.sockets.current.reply('ping', { at: 2 });
    await flush();
    await t.clock.advance(PING_INTERVAL_MS);
    expect(pings()).toBe(3);
  });

  it('drops a connection whose ping goes unanswered and reconnects', async () => {
    const t = await ready();
    await t.clock.advance(PING_INTERVAL_MS + PING_TIMEOUT_MS);
    expect(t.sockets.sockets[0].closed).toBe(true);
    expect(t.phases().at(-1)).toBe('helper-down');
    await t.clock.advance(t.clock.pending()[0]);
    expect(t.sockets.sockets).toHaveLength(2);
  });

  it('backs off with jitter, doubling up to the cap, while the helper is down', async () => {
    const t = await setup({ random: 1 });
    t.connection.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      t.sockets.current.drop();
      await flush();
      delays.push(t.clock.pending()[0]);
      await t.clock.advance(t.clock.pending()[0]);
    }
    expect(delays).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000]);
    // "Down" stays down between tries instead of flickering to "connecting".
    expect(t.phases().filter((p) => p === 'connecting')).toHaveLength(1);
  });

  it('spreads retries between half and the whole of the current ceiling', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(10, () => 0)).toBe(MAX_BACKOFF_MS / 2);
    expect(backoffDelay(10, () => 0.999)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
  });

  it('starts over from a short delay after a good connection is lost', async () => {
    const t = await ready();
    t.sockets.current.drop();
    await flush();
    expect(t.clock.pending()[0]).toBe(750); // attempt 0, random 0.5
  });

  it('retries at once when woken (alarm, popup opened), and follows a new address', async () => {
    const t = await setup({ token: 'tok' });
    t.connection.start();
    t.sockets.current.drop();
    await flush();
    t.connection.wake();
    expect(t.sockets.sockets).toHaveLength(2);
    t.connection.setAddress('ws://localhost:5000');
    expect(t.sockets.current.url).toBe('ws://localhost:5000');
  });
});

describe('helper connection: requests', () => {
  it('sends a request and resolves with its checked result', async () => {
    const t = await ready();
    const log = t.connection.request('get-login-log', { accountId: 'icloud' });
    expect(t.sockets.current.last('get-login-log')).toMatchObject({ accountId: 'icloud' });
    t.sockets.current.reply('get-login-log', { entries: [{ at: 1, outcome: 'success', reason: 'ok', trigger: 'start' }] });
    await expect(log).resolves.toEqual({ entries: [{ at: 1, outcome: 'success', reason: 'ok', trigger: 'start' }] });
  });

  it("rejects with the helper's error code and message, and refuses malformed results", async () => {
    const t = await ready();
    const add = t.connection.request('retry-login', { accountId: 'icloud' });
    t.sockets.current.receive({ type: 'error', id: t.sockets.current.last('retry-login').id, code: 'rate-limited', message: 'Wait 10 minutes.' });
    await expect(add).rejects.toEqual(new HelperError('rate-limited', 'Wait 10 minutes.'));
    const count = t.connection.request('mark-all-read', { accountId: 'icloud' });
    t.sockets.current.reply('mark-all-read', { marked: 'lots' });
    await expect(count).rejects.toMatchObject({ code: 'invalid' });
  });

  it('fails waiting requests when the connection drops, and refuses new ones with what to do', async () => {
    const t = await ready();
    const body = t.connection.request('delete', { accountId: 'icloud', key: { mailbox: 'INBOX', uidValidity: 1, uid: 1 } });
    t.sockets.current.drop();
    await expect(body).rejects.toMatchObject({ code: 'not-connected' });
    await expect(t.connection.request('mark-all-read', { accountId: 'icloud' })).rejects.toThrow(/helper is not running\. Start it with “npm start”/);
  });

  it('refuses requests before pairing with a pointer to the settings', async () => {
    const t = await setup();
    t.connection.start();
    t.sockets.current.hello();
    await flush();
    await expect(t.connection.request('mark-all-read', { accountId: 'x' })).rejects.toThrow('not paired with the helper yet: pair it in the settings');
  });

  it('unpairing forgets the token and the accounts', async () => {
    const t = await ready();
    await t.connection.unpair();
    expect(await t.store.get('token')).toBeUndefined();
    expect(t.events).toContainEqual({ type: 'unpaired' });
    t.sockets.current.hello();
    await flush();
    expect(t.phases().at(-1)).toBe('not-paired');
  });
});
