/**
 * What counts as a login: only the LOGIN/AUTHENTICATE command the server sees. Connects that fail
 * before it back off without spending the budget; a login whose answer never comes blocks like a
 * rejected password; stop() leaves no connection and no login behind. Against the scripted
 * server (faults Dovecot cannot show) and, for the order on disk, a real Dovecot.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyState } from '../../helper/policy/types';
import { MemoryPolicyStore } from '../../helper/store/policy-store';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { startScriptedImap, type ImapScript, type ScriptedImapServer } from '../harness/scripted-imap';
import { pollUntil } from '../harness/wait';
import { MemoryMarkStore, startSession, type SessionRecorder } from './session-fixture';

const GREETING = '* OK [CAPABILITY IMAP4rev1] ready';
const PASS = 'phase-test-pass-7Qx';
/** Short deadlines: a stalled greeting or login gives up in a second. */
const TUNING = { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 };

/** A policy store that notes, at each save, how many LOGIN commands the server had received. */
class WatchedPolicyStore extends MemoryPolicyStore {
  readonly saves: { pending: boolean; loginsAtServer: number }[] = [];
  constructor(private readonly server: () => ScriptedImapServer | undefined) {
    super();
  }
  override async saveState(state: PolicyState): Promise<void> {
    this.saves.push({ pending: state.pending !== null, loginsAtServer: this.server()?.commands.filter((c) => c === 'LOGIN').length ?? 0 });
    await super.saveState(state);
  }
  async saved(): Promise<PolicyState> {
    return (await this.loadState())!;
  }
}

let server: ScriptedImapServer | undefined;
let recorder: SessionRecorder | undefined;
afterEach(async () => {
  await recorder?.session.stop();
  await server?.close();
  recorder = undefined;
  server = undefined;
});

async function sessionAgainst(script: ImapScript, store = new WatchedPolicyStore(() => server)) {
  server = await startScriptedImap(script);
  recorder = await startSession({
    host: server.host, port: server.port, user: 'me', pass: PASS,
    stores: { policy: store, marks: new MemoryMarkStore() }, tuning: TUNING,
  });
  return { store, recorder };
}

describe('connects that fail before the login command', () => {
  it('a server that never greets: not a login, backs off at least 5 s', async () => {
    const { store, recorder: r } = await sessionAgainst({ greeting: null });
    await r.until(() => r.state() === 'backoff', 'backoff after the stalled greeting');
    const state = await store.saved();
    expect(state.attempts).toEqual([]);
    expect(state.connectFailures).toBe(1);
    expect(state.backoff!.until - Date.now()).toBeGreaterThan(3_000); // 5 s from the failure, some of it spent
    expect(server!.commands).toEqual([]);
  });

  it('a BYE greeting is throttling: not a login, waits at least 15 minutes', async () => {
    const { store, recorder: r } = await sessionAgainst({ greeting: '* BYE Too many connections, try later' });
    await r.until(() => r.state() === 'backoff', 'backoff after BYE');
    const state = await store.saved();
    expect(state.attempts).toEqual([]);
    expect(state.backoff!.until - Date.now()).toBeGreaterThan(14 * 60_000);
  });
});

describe('a login command whose answer never comes', () => {
  for (const [what, login] of [['the link is cut after LOGIN', 'close'], ['the server never answers LOGIN', 'silent']] as const) {
    it(`${what}: counted, on disk before it was sent, then blocked like a rejected password`, async () => {
      const { store, recorder: r } = await sessionAgainst({ greeting: GREETING, login });
      await r.until(() => r.state() === 'auth-failed', 'auth-failed');
      expect(r.session.state.reason).toMatch(/cut short.*may have been refused.*Retry login or enter a new password/);
      const state = await store.saved();
      expect(state.attempts).toHaveLength(1);
      expect(state.authFailed).toMatchObject({ unknown: true });
      // The attempt reached the disk while the server had seen no LOGIN yet.
      expect(store.saves.find((s) => s.pending)).toEqual({ pending: true, loginsAtServer: 0 });
      expect(server!.commands.filter((c) => c === 'LOGIN')).toHaveLength(1);
      expect((await store.readLog(10)).map((e) => e.outcome)).toEqual(['unknown']);
      // Nothing more is tried by itself.
      expect(server!.connectionsTotal).toBe(1);
    });
  }

  it('stop() during the login closes the connection and counts it as unknown; nothing is left open', async () => {
    const loginSeen = (async () => {
      while (!server) await new Promise((done) => setImmediate(done));
      await server.nextCommand('LOGIN');
    })();
    const { store, recorder: r } = await sessionAgainst({ greeting: GREETING, login: 'silent' });
    await loginSeen;
    await r.session.stop();
    expect(r.session.state.state).toBe('stopped');
    await pollUntil(() => server!.connectionsOpen === 0, { what: 'the server to see the connection closed', timeoutMs: 5_000, intervalMs: 5 });
    expect((await store.saved()).authFailed).toMatchObject({ unknown: true });
  });
});

describe('against Dovecot', () => {
  let dovecot: DovecotServer;
  beforeAll(async () => {
    dovecot = await startDovecot({ profile: 'stock', users: [{ user: 'phases', pass: PASS }] });
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('a user retry after a login cut short logs in once, logged as user-retry', async () => {
    const store = new MemoryPolicyStore();
    const first = await startSession({ host: dovecot.host, port: dovecot.port, user: 'phases', pass: PASS, stores: { policy: store, marks: new MemoryMarkStore() } });
    await first.until(() => first.state() === 'idle', 'idle');
    await first.session.stop();
    // A login cut short earlier left the account blocked; the user retries.
    const blocked = await store.loadState();
    await store.saveState({ ...blocked!, authFailed: { at: Date.now(), reason: 'cut short', unknown: true } });
    const r = await startSession({ host: dovecot.host, port: dovecot.port, user: 'phases', pass: PASS, stores: { policy: store, marks: new MemoryMarkStore() } });
    recorder = r;
    await r.until(() => r.state() === 'auth-failed', 'auth-failed');
    expect(await r.policy.userRetry()).toEqual({ ok: true });
    r.session.wake();
    await r.until(() => r.state() === 'idle', 'idle after the retry');
    expect((await store.readLog(10)).map((e) => `${e.outcome}/${e.trigger}`)).toEqual(['success/start', 'success/user-retry']);
  });
});
