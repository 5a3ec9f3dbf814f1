/**
 * `helper start`: wires the stores, the account registry and the WebSocket server together and
 * runs until SIGINT/SIGTERM. No logic of its own beyond the order of things.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_HELPER_PORT } from '../protocol';
import { AccountRegistry } from './accounts/registry';
import { loadConfig } from './store/config';
import { ensureDir } from './store/atomic-file';
import { acquireInstanceLock, type InstanceLock } from './store/instance-lock';
import type { HelperPaths } from './store/paths';
import { openSecretStore, type SecretStore } from './store/secrets';
import { PairingCodes } from './server/pairing';
import { startHelperServer, type HelperServer } from './server/socket-server';
import { TokenStore } from './server/tokens';
import { RuntimeStatusWriter } from './runtime-status';
import { ControlInbox } from './control-requests';
import { HELPER_VERSION } from './version';
import { helperCommand } from './command-name';

export interface RunningHelper {
  port: number;
  registry: AccountRegistry;
  server: HelperServer;
  secrets: SecretStore;
  pairing: PairingCodes;
  tokens: TokenStore;
  stop(): Promise<void>;
}

export function pairingFile(paths: HelperPaths): string {
  return join(paths.stateDir, 'pairing-code.json');
}

export function tokensFile(paths: HelperPaths): string {
  return join(paths.configDir, 'tokens.json');
}

export interface RunHelperOptions {
  paths: HelperPaths;
  logger: Logger;
  port?: number;
  hosts?: string[];
  /** Serve the demo account when no account is configured (`npm start`); off with --no-demo. */
  demo?: boolean;
  demoIntervalMs?: number;
}

export async function runHelper(options: RunHelperOptions): Promise<RunningHelper> {
  const { paths, logger } = options;
  await Promise.all([ensureDir(paths.configDir), ensureDir(paths.stateDir)]);
  // Before anything can log in: a second helper on this home stops here (AlreadyRunningError).
  const lock = await acquireInstanceLock(paths.configDir);
  try {
    return await runLocked(options, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function runLocked(options: RunHelperOptions, lock: InstanceLock): Promise<RunningHelper> {
  const { paths, logger } = options;
  const config = await loadConfig(paths.configDir);
  const secrets = await openSecretStore({ configDir: paths.configDir });
  if (secrets.note) logger.warn(secrets.note);
  const registry = await AccountRegistry.open({
    configDir: paths.configDir,
    stateDir: paths.stateDir,
    secrets,
    log: (event, fields) => logger.info({ ...fields }, event),
  });
  if (options.demo && config.accounts.length === 0) {
    // Loaded only here: the demo's IMAP server is memory a helper with real accounts never needs.
    const { startDemoServer } = await import('./demo/demo-server');
    await registry.addDemoAccount(await startDemoServer({ intervalMs: options.demoIntervalMs }));
    logger.info('no account configured: serving the demo account (a local mailbox); add a real account in the extension settings');
  }
  const tokens = new TokenStore({ file: tokensFile(paths) });
  const pairing = new PairingCodes({ file: pairingFile(paths) });
  let server: HelperServer;
  try {
    server = await startHelperServer({
      port: options.port ?? config.port ?? DEFAULT_HELPER_PORT,
      ...(options.hosts ? { hosts: options.hosts } : {}),
      mail: registry,
      tokens,
      pairing,
      logger,
      helperVersion: HELPER_VERSION,
    });
  } catch (err) {
    await registry.close();
    throw err;
  }
  const startedAt = Date.now();
  const status = new RuntimeStatusWriter(paths.stateDir, () => ({
    pid: process.pid,
    port: server.port,
    version: HELPER_VERSION,
    startedAt,
    updatedAt: Date.now(),
    clients: server.clients(),
    accounts: registry.snapshots().map((s) => s.account),
  }));
  for (const event of ['snapshot', 'delta', 'account', 'account-removed'] as const) registry.on(event, () => status.changed());
  // `helper retry ACCOUNT` from another terminal, while this one runs.
  const inbox = await ControlInbox.open(paths.stateDir, async (request) => {
    await registry.retryLogin(request.accountId);
    return { ok: true, message: `Retry accepted: ${request.accountId} logs in once now (\`${helperCommand(`logins ${request.accountId}`)}\` shows how it went).` };
  }).catch((err: unknown) => {
    // A full or read-only disk: the helper runs on; only `helper retry` from a terminal cannot reach it.
    logger.warn(`\`helper retry\` cannot reach this helper: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  });
  await status.flush();
  return {
    port: server.port,
    registry,
    server,
    secrets,
    pairing,
    tokens,
    async stop() {
      inbox?.close();
      await server.close();
      await registry.close();
      await status.flush();
      await lock.release();
    },
  };
}
