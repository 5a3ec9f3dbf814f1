/**
 * The `helper` command: argument parsing and wiring only.
 *   start [--port N]      run in the foreground with a readable log
 *   pair                  print a one-time pairing code for the extension's settings page
 *   status                accounts, states, unread counts, where passwords are kept
 *   logins [ACCOUNT]      the login log
 *   account add|remove    manage accounts without the browser (the password is read without echo)
 *   tokens [revoke ID]    list or revoke paired browsers
 *   service ACTION        run at login as a user service (systemd, launchd, Task Scheduler)
 *   doctor                check everything and say what to fix
 */
import { parseArgs } from 'node:util';
import type { DestinationStream } from 'pino';
import { createLogger } from './log';
import { helperPaths, type HelperPaths } from './store/paths';
import { loadConfig, saveConfig, removeAccount } from './store/config';
import { openSecretStore } from './store/secrets';
import { LoginLog, loginLogPath } from './store/login-log';
import { ensureDir, StorageError } from './store/atomic-file';
import { PairingCodes } from './server/pairing';
import { TokenStore } from './server/tokens';
import { PortInUseError } from './server/socket-server';
import { acquireInstanceLock, AlreadyRunningError } from './store/instance-lock';
import { readRuntimeStatus } from './runtime-status';
import { pairingFile, runHelper, tokensFile } from './run-helper';
import { AccountRegistry } from './accounts/registry';
import { MailServiceError } from './accounts/mail-service';
import { ask } from './cli/prompt';
import { installService, serviceStatus, stopService, uninstallService, type ServiceEnv, type ServiceReport } from './service/service-commands';
import { systemServiceEnv } from './service/system-env';
import { runDoctor, systemDoctorDeps } from './doctor/run-doctor';
import { formatChecks } from './doctor/check-result';
import { HELPER_VERSION } from './version';
import { DEFAULT_HELPER_PORT } from '../protocol';

const USAGE = `mail-notifier helper ${HELPER_VERSION}

Usage: helper <command>
  start [--port N] [--no-demo]
                            run the helper in the foreground (default port ${DEFAULT_HELPER_PORT}); with no
                            account configured it serves a demo account unless --no-demo
  pair                      print a one-time code to pair the extension (valid 10 minutes)
  status                    accounts, their state and unread counts
  logins [ACCOUNT]          the login log (every login attempt, with its outcome)
  account add               add an account (asks for the password without echo)
  account remove ACCOUNT    remove an account and its stored password
  tokens                    list paired browsers
  tokens revoke ID          revoke a paired browser's token
  service install           start the helper at each login (systemd user unit, launchd agent,
                            or Task Scheduler task) and now
  service uninstall | stop | status
                            remove it, stop it until the next login, or show its state
  doctor                    check the helper, port, passwords, settings, servers (no login)
                            and logins, and say what to fix`;

class UserError extends Error {}

/** After SIGTERM/SIGINT the process ends within this, however the stop goes (a second signal ends it at once). */
const STOP_DEADLINE_MS = 8_000;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, 'no-demo': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  const paths = helperPaths();
  if (values.help || !command) return void console.log(USAGE);
  switch (command) {
    case 'start':
      return start(paths, values.port, !values['no-demo']);
    case 'pair':
      return pair(paths);
    case 'status':
      return status(paths);
    case 'logins':
      return logins(paths, rest[0]);
    case 'account':
      return account(paths, rest);
    case 'tokens':
      return tokens(paths, rest);
    case 'service':
      return service(paths, rest[0]);
    case 'doctor':
      return doctor(paths);
    default:
      throw new UserError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`--port must be a number from 1 to 65535, not "${value}".`);
  return port;
}

/**
 * On a terminal, lines for reading. Anywhere else (the service's log file, tests) pino's own JSON
 * lines: pino-pretty and what it loads would otherwise sit in the memory of a helper that runs for
 * days (docs/BENCHMARKS.md); `npx pino-pretty < FILE` reads them.
 */
async function readableLog(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ destination: 2, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' });
}

async function start(paths: HelperPaths, portArg: string | undefined, demo: boolean): Promise<void> {
  // The log goes to stderr; stdout carries only what the user must read (the pairing code).
  const logger = createLogger(process.stderr.isTTY ? { destination: await readableLog() } : {});
  // Listened for from the start: a stop asked for while starting is a clean stop once started.
  const stopAsked = new Promise<void>((resolve) => {
    let asked = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (asked) {
        // A second signal: the user does not want to wait. The OS closes every socket with us.
        logger.warn(`${signal} again: exiting now`);
        process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      }
      asked = true;
      // Whatever hangs (a keychain that does not answer), the process ends within 10 s.
      setTimeout(() => {
        logger.error(`stopping took longer than ${STOP_DEADLINE_MS / 1000} s: exiting now`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const helper = await runHelper({ paths, logger, port: parsePort(portArg), demo });
  logger.info(`helper ${HELPER_VERSION} listening on 127.0.0.1:${helper.port} (settings in ${paths.configDir})`);
  if ((await helper.tokens.list()).length === 0) {
    // A full or read-only disk must not leave the start half done (no stop handling, exit code 1 set):
    // the helper runs on, its accounts say why, and this says why there is no code.
    const created = await helper.pairing.create().catch((err: unknown) => {
      if (!(err instanceof StorageError)) throw err;
      logger.error(`No pairing code: ${err.message} Then run \`npm run helper pair\`.`);
      return null;
    });
    if (created) {
      console.log(`\nNo browser is paired yet. In the extension's settings page enter:\n  helper address  127.0.0.1:${helper.port}\n  pairing code    ${created.code}   (valid 10 minutes; \`npm run helper pair\` makes a new one)\n`);
    }
  }
  await stopAsked;
  logger.info('stopping');
  await helper.stop();
  logger.info('stopped');
  // Stopped cleanly: a handle nobody closed (a keychain connection) must not keep the process alive.
  setTimeout(() => process.exit(), 1_000).unref();
}

async function pair(paths: HelperPaths): Promise<void> {
  const { code, expiresAt } = await new PairingCodes({ file: pairingFile(paths) }).create();
  const running = await readRuntimeStatus(paths.stateDir);
  console.log(`Pairing code: ${code}  (single use, valid until ${new Date(expiresAt).toLocaleTimeString()})`);
  console.log(running ? `Enter it in the extension's settings page (helper at 127.0.0.1:${running.port}).` : 'The helper is not running: start it with `npm run helper start`.');
}

async function status(paths: HelperPaths): Promise<void> {
  const running = await readRuntimeStatus(paths.stateDir);
  const secrets = await openSecretStore({ configDir: paths.configDir });
  console.log(running ? `helper ${running.version} running (pid ${running.pid}) on 127.0.0.1:${running.port}, ${running.clients} browser(s) connected` : 'helper not running');
  console.log(`passwords kept in: ${secrets.kind === 'keychain' ? 'the OS keychain' : `a file readable only by you (${paths.configDir}/secrets.json)`}`);
  const config = await loadConfig(paths.configDir);
  if (config.accounts.length === 0) return void console.log('no accounts: add one in the extension settings, or `helper account add`');
  for (const account of config.accounts) {
    const live = running?.accounts.find((a) => a.id === account.id);
    const state = live ? `${live.state}${live.stateReason ? ` (${live.stateReason})` : ''}, ${live.unreadCount} unread` : 'not running';
    console.log(`- ${account.id}: ${account.username} on ${account.host}:${account.port} — ${state}`);
  }
}

async function logins(paths: HelperPaths, accountId: string | undefined): Promise<void> {
  const config = await loadConfig(paths.configDir);
  const ids = accountId ? [accountId] : config.accounts.map((a) => a.id);
  if (ids.length === 0) return void console.log('no accounts');
  for (const id of ids) {
    const entries = await new LoginLog(loginLogPath(paths.stateDir, id)).tail(100);
    console.log(`${id}: ${entries.length} login(s) logged`);
    for (const e of entries) console.log(`  ${new Date(e.at).toISOString()}  ${e.outcome.padEnd(13)} ${e.trigger.padEnd(12)} ${e.reason}`);
  }
}

/**
 * Runs `work` holding the home's lock, as a helper would: two processes must never run sessions
 * for one account, nor write one account's policy files at once.
 */
async function whileStopped<T>(paths: HelperPaths, busy: string, work: () => Promise<T>): Promise<T> {
  await Promise.all([ensureDir(paths.configDir), ensureDir(paths.stateDir)]);
  const lock = await acquireInstanceLock(paths.configDir).catch((err: unknown) => {
    if (err instanceof AlreadyRunningError) throw new UserError(`${busy} (${err.message})`);
    throw err;
  });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

async function account(paths: HelperPaths, [action, id]: string[]): Promise<void> {
  const busy = 'The helper is running: use the extension settings page, or stop the helper first (Ctrl-C or `helper service stop`)';
  return whileStopped(paths, busy, () => accountLocked(paths, action, id));
}

async function accountLocked(paths: HelperPaths, action: string | undefined, id: string | undefined): Promise<void> {
  if (action === 'remove') {
    if (!id) throw new UserError('Usage: helper account remove ACCOUNT (see `helper status` for ids)');
    const config = await loadConfig(paths.configDir);
    await saveConfig(paths.configDir, removeAccount(config, id));
    await (await openSecretStore({ configDir: paths.configDir })).delete(id);
    return void console.log(`removed ${id}`);
  }
  if (action !== 'add') throw new UserError('Usage: helper account add | helper account remove ACCOUNT');
  const kind = (await ask('iCloud account? [Y/n] ')).toLowerCase().startsWith('n') ? 'imap' : 'icloud';
  const username = await ask(kind === 'icloud' ? 'iCloud address: ' : 'Username: ');
  const host = kind === 'icloud' ? 'imap.mail.me.com' : await ask('IMAP server: ');
  const port = kind === 'icloud' ? 993 : Number((await ask('Port [993]: ')) || 993);
  const tls = kind === 'icloud' ? true : !(await ask('TLS? [Y/n] ')).toLowerCase().startsWith('n');
  const password = await ask(kind === 'icloud' ? 'App-specific password (xxxx-xxxx-xxxx-xxxx): ' : 'Password: ', { secret: true });
  const secrets = await openSecretStore({ configDir: paths.configDir });
  const registry = await AccountRegistry.open({ configDir: paths.configDir, stateDir: paths.stateDir, secrets });
  try {
    const added = await registry.addAccount({ kind, host, port, tls, username, password });
    console.log(`added ${added.id}; start the helper to keep it connected`);
  } finally {
    await registry.close();
  }
}

async function tokens(paths: HelperPaths, [action, id]: string[]): Promise<void> {
  const store = new TokenStore({ file: tokensFile(paths) });
  if (action === 'revoke') {
    if (!id) throw new UserError('Usage: helper tokens revoke ID');
    const result = await store.revoke(id);
    if (!result.ok) throw new UserError(result.reason);
    return void console.log(`revoked ${result.revoked.id} (${result.revoked.label}); that browser is refused from its next connection on`);
  }
  const list = await store.list();
  if (list.length === 0) return void console.log('no paired browsers');
  for (const t of list) {
    const used = t.lastUsedAt ? `last used ${new Date(t.lastUsedAt).toISOString()}` : 'never used';
    console.log(`${t.id}  ${t.label}  paired ${new Date(t.createdAt).toISOString()}, ${used}`);
  }
}

const SERVICE_ACTIONS: Record<string, (env: ServiceEnv) => Promise<ServiceReport>> = {
  install: installService,
  uninstall: uninstallService,
  stop: stopService,
  status: serviceStatus,
};

async function service(paths: HelperPaths, action: string | undefined): Promise<void> {
  const run = action && Object.hasOwn(SERVICE_ACTIONS, action) ? SERVICE_ACTIONS[action] : undefined;
  if (!run) throw new UserError('Usage: helper service install | uninstall | stop | status');
  const report = await run(systemServiceEnv(paths));
  for (const line of report.lines) console.log(line);
  if (!report.ok) process.exitCode = 1;
}

async function doctor(paths: HelperPaths): Promise<void> {
  const results = await runDoctor(systemDoctorDeps(paths));
  console.log(formatChecks(results));
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Errors a user can act on are printed as they are; anything else without a stack trace.
  if (
    err instanceof UserError || err instanceof MailServiceError || err instanceof StorageError || err instanceof PortInUseError
    || err instanceof AlreadyRunningError
  ) {
    console.error(err.message);
  } else {
    console.error(`helper: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exitCode = 1;
});
