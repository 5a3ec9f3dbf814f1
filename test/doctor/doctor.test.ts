import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMark, formatChecks } from '../../helper/doctor/check-result';
import { probeLoopbackPort } from '../../helper/doctor/helper-checks';
import { probeImap } from '../../helper/doctor/imap-probe';
import { runDoctor, type DoctorDeps } from '../../helper/doctor/run-doctor';
import { initialPolicyState } from '../../helper/policy/policy-core';
import { runtimeStatusPath, type RuntimeStatus } from '../../helper/runtime-status';
import { tokensFile } from '../../helper/run-helper';
import { TokenStore } from '../../helper/server/tokens';
import { writeJsonAtomic } from '../../helper/store/atomic-file';
import { configPath, saveConfig, type AccountConfig } from '../../helper/store/config';
import { LoginLog, loginLogPath } from '../../helper/store/login-log';
import { helperPaths, type HelperPaths } from '../../helper/store/paths';
import { FilePolicyStore, policyStatePath } from '../../helper/store/policy-store';
import { openSecretStore } from '../../helper/store/secrets';
import { greetingServer, refusedPort, type GreetingServer } from './loopback-servers';

const MINUTE = 60_000;
const now = Date.now();
let home: string;
let paths: HelperPaths;
let imap: GreetingServer;
const cleanups: (() => Promise<void>)[] = [];

function account(id: string, kind: AccountConfig['kind'], port: number): AccountConfig {
  return { id, label: id, kind, host: '127.0.0.1', port, tls: false, username: `${id}@example.test`, watchedFolders: [], previewCount: 50 };
}

function deps(overrides: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    paths,
    now: () => now,
    // A keychain that is not there, as in a container: the file store's note is what the doctor shows.
    openSecrets: () => openSecretStore({ configDir: paths.configDir, keychain: () => { throw new Error('no D-Bus session'); } }),
    probePort: probeLoopbackPort,
    probeImap: (target) => probeImap(target),
    ...overrides,
  };
}

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}

/** Every file under the home with its size and mtime: the doctor must leave them all as they were. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        const s = await stat(path);
        return `${path} ${s.size} ${s.mtimeMs}`;
      }),
  ).then((list) => list.sort());
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'doctor-'));
  paths = helperPaths({ MAIL_NOTIFIER_HOME: home });
  imap = await greetingServer('* OK [CAPABILITY IMAP4rev1] test server ready\r\n');
  cleanups.push(() => imap.close());
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(home, { recursive: true, force: true });
});

describe('helper doctor', () => {
  it('checks everything against a temp home and loopback servers, sends nothing and writes nothing', async () => {
    const heldPort = (((await listening()).address()) as AddressInfo).port;
    const deadPort = await refusedPort();
    await saveConfig(paths.configDir, { version: 1, port: heldPort, accounts: [account('icloud-me', 'icloud', imap.port), account('work', 'imap', deadPort)] });
    await new FilePolicyStore({ stateDir: paths.stateDir, accountId: 'icloud-me' }).saveState({
      ...initialPolicyState(),
      attempts: [now - 10 * MINUTE],
      consecutiveFailures: 1,
      authFailed: { at: now - 10 * MINUTE, reason: '[AUTHENTICATIONFAILED] Authentication failed.' },
    });
    // No state file for "work": the doctor reads its login log, as the policy would.
    await new LoginLog(loginLogPath(paths.stateDir, 'work')).append({ at: now - 120 * MINUTE, outcome: 'success', reason: 'logged in', trigger: 'start' });
    const tokens = new TokenStore({ file: tokensFile(paths), now: () => now - 5 * MINUTE });
    await tokens.touch((await tokens.issue('Chrome on the laptop')).info.id);
    const before = await snapshot(home);

    const results = await runDoctor(deps());

    expect(results.map((r) => [checkMark(r), r.title])).toEqual([
      ['✗', 'Helper'],
      ['✗', 'Extension'],
      // The file store works: no keychain is a warning with its reason, not a failure.
      ['!', 'Passwords'],
      ['✓', 'Settings'],
      ['✓', 'icloud-me server'],
      ['✗', 'icloud-me login'],
      ['✗', 'work server'],
      ['✓', 'work login'],
    ]);
    const [helper, extension, passwords, settings, icloudServer, icloudLogin, workServer, workLogin] = results;
    expect(helper.detail).toBe(`not running, and 127.0.0.1:${heldPort} is held by another program (or a helper with another MAIL_NOTIFIER_HOME)`);
    expect(extension.detail).toBe('1 paired, none connected now; last connection 5 min ago (Chrome on the laptop)');
    expect(extension.fix).toMatch(/^start the helper/);
    expect(passwords.detail).toMatch(/^OS keychain unavailable \(no D-Bus session\); passwords are kept in .*secrets\.json/);
    expect(settings.detail).toBe('config.json loaded, 2 accounts');
    expect(icloudServer.detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${imap.port} \\(no TLS\\) answered in \\d+ ms: \\* OK \\[CAPABILITY IMAP4rev1\\] test server ready$`));
    expect(icloudLogin.detail).toMatch(/^password rejected 10 min ago \(\[AUTHENTICATIONFAILED\] Authentication failed\.\); not retried until you act; 1\/10 logins in the last hour, 1\/60 in 24 h$/);
    expect(icloudLogin.fix).toMatch(/^create a new app-specific password at https:\/\/account\.apple\.com/);
    expect(workServer).toMatchObject({ detail: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${deadPort} \\(no TLS\\): .*ECONNREFUSED`)), fix: expect.stringMatching(/^check the port and the TLS setting/) });
    expect(workLogin.detail).toBe('last login 2 h ago; 0/10 logins in the last hour, 1/60 in 24 h');

    await imap.closedConnections(1);
    expect(imap.received().length).toBe(0);
    expect(await snapshot(home)).toEqual(before);
  });

  it('with the helper running: the live state, connected browsers, and no port probe', async () => {
    await saveConfig(paths.configDir, { version: 1, accounts: [account('work', 'imap', imap.port)] });
    const status: RuntimeStatus = {
      pid: process.pid,
      port: 47999,
      version: '9.9.9',
      startedAt: now - MINUTE,
      updatedAt: now,
      clients: 1,
      accounts: [{ id: 'work', label: 'work', kind: 'imap', host: '127.0.0.1', username: 'w', state: 'idle', unreadCount: 3, passwordStore: 'file' }],
    };
    await writeJsonAtomic(runtimeStatusPath(paths.stateDir), status);
    await new TokenStore({ file: tokensFile(paths) }).issue('Firefox');
    const results = await runDoctor(deps({ probePort: () => Promise.reject(new Error('must not probe a port the helper holds')) }));
    expect(results.find((r) => r.title === 'Helper')).toEqual({ ok: true, title: 'Helper', detail: `9.9.9 running (pid ${process.pid}) on 127.0.0.1:47999` });
    expect(results.find((r) => r.title === 'Extension')).toMatchObject({ ok: true, detail: '1 browser connected now; never connected' });
    expect(results.find((r) => r.title === 'work login')).toMatchObject({ ok: true, detail: 'idle now, 3 unread; no successful login recorded; 0/10 logins in the last hour, 0/60 in 24 h' });
  });

  it('names the broken setting in config.json, checks the default port and skips the accounts', async () => {
    await writeJsonAtomic(configPath(paths.configDir), { version: 1, accounts: [{ ...account('work', 'imap', 993), password: 'hunter2' }] });
    const probed: number[] = [];
    const results = await runDoctor(deps({ probePort: async (port) => (probed.push(port), 'free') }));
    expect(probed).toEqual([47913]);
    expect(results.map((r) => r.title)).toEqual(['Helper', 'Extension', 'Passwords', 'Settings']);
    expect(results[0]).toMatchObject({ ok: false, detail: 'not running (port 47913 is free)' });
    expect(results[1]).toMatchObject({ ok: false, detail: 'no browser is paired' });
    expect(results[3].ok).toBe(false);
    expect(results[3].detail).toContain('accounts.0.password: passwords are kept in the keychain, never in this file');
    expect(results[3].detail).not.toContain('hunter2');
  });

  it('a damaged file fails its own check and the others still run', async () => {
    await saveConfig(paths.configDir, { version: 1, accounts: [account('work', 'imap', imap.port)] });
    await writeFile(tokensFile(paths), '{"version": 1, "tokens": [');
    await mkdir(paths.stateDir, { recursive: true });
    await writeFile(policyStatePath(paths.stateDir, 'work'), '{"version": 7}');
    const results = await runDoctor(deps({ probePort: async () => 'free' }));
    expect(results.find((r) => r.title === 'Extension')).toMatchObject({ ok: false, detail: expect.stringMatching(/tokens\.json is damaged: it is not valid JSON/) });
    expect(results.find((r) => r.title === 'work login')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/policy-work\.json is damaged/),
      fix: 'the helper cannot use that file until it is fixed or moved away',
    });
    expect(results.find((r) => r.title === 'work server')?.ok).toBe(true);
  });

  it('prints one ✓/!/✗ line per check and the next step under each failure or warning', () => {
    expect(
      formatChecks([
        { ok: true, title: 'Settings', detail: 'config.json loaded, 1 account' },
        { ok: true, warning: true, title: 'Passwords', detail: 'in a file', fix: 'run a keychain' },
        { ok: false, title: 'Helper', detail: 'not running (port 47913 is free)', fix: 'start it' },
      ]),
    ).toBe('✓ Settings: config.json loaded, 1 account\n! Passwords: in a file\n    → run a keychain\n✗ Helper: not running (port 47913 is free)\n    → start it');
  });
});
