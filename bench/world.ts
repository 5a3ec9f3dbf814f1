/**
 * What every benchmark stands on: a real Dovecot on loopback with one user, the harness's counting
 * proxy in front of it, "another device" appending mail straight to Dovecot, and the real helper
 * (`node helper/bin.mjs start`, a child process) with that account configured and browsers'
 * tokens issued, exactly as `helper account add` and pairing would leave its files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoginLogEntry } from '../protocol';
import { tokensFile } from '../helper/run-helper';
import { readRuntimeStatus } from '../helper/runtime-status';
import { TokenStore } from '../helper/server/tokens';
import { addAccount, saveConfig } from '../helper/store/config';
import { LoginLog, loginLogPath } from '../helper/store/login-log';
import { helperPaths } from '../helper/store/paths';
import { openSecretStore } from '../helper/store/secrets';
import { startDovecot, type DovecotServer } from '../test/harness/dovecot';
import { startProxy, type TcpProxy } from '../test/harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../test/harness/other-device';
import { freePort, startHelperProcess } from '../test/e2e/helper-process';
import { connect, type TestClient } from '../test/server/helpers';
import { buildSea } from '../scripts/build-sea.mjs';
import type { TlsFront } from './tls-front';

export const USER = 'bench';
export const PASS = 'bench-pass-7';
const ACCOUNT_ID = 'bench';

/** The world's mail users: `bench` first (the one `other` acts as), then bench-2, bench-3, … */
export interface MailUser {
  id: string;
  user: string;
  pass: string;
}

function mailUsers(count: number): MailUser[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? { id: ACCOUNT_ID, user: USER, pass: PASS } : { id: `${ACCOUNT_ID}-${i + 1}`, user: `${USER}-${i + 1}`, pass: `${PASS}-${i + 1}` }));
}

/** Milliseconds since the epoch with sub-millisecond resolution; the same expression in the service worker. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export interface MailWorld {
  dovecot: DovecotServer;
  users: MailUser[];
  proxy: TcpProxy;
  other: OtherDevice;
  /** APPENDs to INBOX from the other device; `doneAt` (epochNow) is when the server's OK arrived. */
  append(raw: Buffer): Promise<{ uid: number; doneAt: number }>;
  close(): Promise<void>;
}

export async function startMailWorld({ users: userCount = 1 }: { users?: number } = {}): Promise<MailWorld> {
  const users = mailUsers(userCount);
  const dovecot = await startDovecot({ profile: 'stock', users });
  const proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  const other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  return {
    dovecot,
    users,
    proxy,
    other,
    async append(raw) {
      const uid = await other.append('INBOX', raw);
      return { uid, doneAt: epochNow() };
    },
    async close() {
      await other.close();
      await proxy.close();
      await dovecot.stop();
    },
  };
}

/** Resolves once the account is synced and in IDLE, as the client sees it. */
export function accountIdle(client: TestClient, timeoutMs = 30_000): Promise<unknown> {
  return client.waitFor((m) => (m.type === 'snapshot' || m.type === 'account') && m.account.state === 'idle', timeoutMs, 'the account to be idle');
}

export interface BenchHelper {
  pid: number;
  port: number;
  /** epochNow() just before the process was spawned (its files were written before). */
  spawnedAt: number;
  /** A token for the browser and one shared by the bench's WebSocket clients. */
  browserToken: string;
  /** An authenticated WebSocket client, as a browser's background is. */
  client(): Promise<TestClient>;
  logins(): Promise<LoginLogEntry[]>;
  stop(): Promise<void>;
}

export interface BenchHelperOptions {
  /** 'proxy' counts its IMAP traffic, 'direct' skips the extra hop, a TlsFront makes the connection TLS as iCloud's is. */
  via: 'proxy' | 'direct' | TlsFront;
  name: string;
  /** Accounts configured: the world's first `accounts` users (default 1). */
  accounts?: number;
  /** Run this single executable (scripts/build-sea.mjs) instead of node and bin.mjs. */
  executable?: string;
}

/** The real helper with the bench account(s), as `helper account add` and pairing would leave its files. */
export async function startBenchHelper(world: MailWorld, { via, name, accounts = 1, executable }: BenchHelperOptions): Promise<BenchHelper> {
  const home = await mkdtemp(join(tmpdir(), 'mn-bench-'));
  const paths = helperPaths({ MAIL_NOTIFIER_HOME: home });
  const imap =
    via === 'proxy' ? { host: world.proxy.host, port: world.proxy.port, tls: false }
    : via === 'direct' ? { host: world.dovecot.host, port: world.dovecot.port, tls: false }
    : { host: via.host, port: via.port, tls: true };
  const secrets = await openSecretStore({ configDir: paths.configDir });
  let config: Parameters<typeof addAccount>[0] = { version: 1, accounts: [] };
  for (const { id, user, pass } of world.users.slice(0, accounts)) {
    config = addAccount(config, { id, label: `Bench ${id}`, kind: 'imap', ...imap, username: user });
    await secrets.set(id, pass);
  }
  await saveConfig(paths.configDir, config);
  const tokens = new TokenStore({ file: tokensFile(paths) });
  const browserToken = (await tokens.issue('bench browser')).token;
  const clientToken = (await tokens.issue('bench clients')).token;
  const env = typeof via === 'object' ? { NODE_EXTRA_CA_CERTS: via.caFile } : undefined;
  // An executable unpacks what it carries on its first start only: done before, as on a user's machine.
  if (executable) execFileSync(executable, ['--help'], { env: { MAIL_NOTIFIER_HOME: home }, stdio: 'ignore', timeout: 60_000 });
  const port = await freePort();
  const spawnedAt = epochNow();
  const child = await startHelperProcess({ home, port, name: `bench-${name}`, env, executable });
  const status = await readRuntimeStatus(paths.stateDir);
  if (!status) throw new Error('the helper wrote no status file');
  return {
    pid: status.pid,
    port: child.port,
    spawnedAt,
    browserToken,
    async client() {
      const client = await connect(child.port);
      const reply = await client.auth(clientToken);
      if (reply.type !== 'result') throw new Error(`the helper refused the bench client: ${JSON.stringify(reply)}`);
      return client;
    },
    logins: () => new LoginLog(loginLogPath(paths.stateDir, ACCOUNT_ID)).readAll(),
    async stop() {
      await child.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

let executable: Promise<string> | undefined;

/** The helper's single executable, built once per bench run (into .output/bench, replaced each run). */
export function benchExecutable(): Promise<string> {
  executable ??= buildSea(resolve(import.meta.dirname, '..', '.output', 'bench'));
  return executable;
}
