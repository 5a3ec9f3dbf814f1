/**
 * The `helper` command: argument parsing and wiring only.
 *   start [--port N]      run in the foreground with a readable log
 *   pair                  print a one-time pairing code for the extension's settings page
 *   status                accounts, states, unread counts, where passwords are kept
 *   logins [ACCOUNT]      the login log (every account's, failed adds too, without ACCOUNT)
 *   retry ACCOUNT         one login now for an account that waits for the user
 *   account add|remove    manage accounts without the browser (the password is read without echo)
 *   tokens [revoke ID]    list or revoke paired browsers
 *   service ACTION        run at login as a user service (systemd, launchd, Task Scheduler)
 *   doctor                check everything and say what to fix
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DestinationStream } from 'pino';
import { createLogger } from './log';
import { rotatingLogFile } from './log-file';
import { helperPaths, type HelperPaths } from './store/paths';
import { loadConfig, saveConfig, removeAccount } from './store/config';
import { openSecretStore, type SecretStore } from './store/secrets';
import { FilePolicyStore } from './store/policy-store';
import { LoginPolicy } from './policy/login-policy';
import { sendControlRequest } from './control-requests';
import { LoginLog, loginLogPath } from './store/login-log';
import { ensureDir, StorageError } from './store/atomic-file';
import { PairingCodes } from './server/pairing';
import { TokenStore } from './server/tokens';
import { PortInUseError } from './server/socket-server';
import { acquireInstanceLock, AlreadyRunningError } from './store/instance-lock';
import { readRuntimeStatus } from './runtime-status';
import { pairingFile, runHelper, tokensFile } from './run-helper';
import { AccountRegistry, DEMO_ACCOUNT_ID } from './accounts/registry';
import { MailServiceError } from './accounts/mail-service';
import { ask } from './cli/prompt';
import { printable } from './text/control-characters';
import { isLoopbackHost } from './mail/transport-security';
import { installService, serviceStatus, stopService, uninstallService, type ServiceEnv, type ServiceReport } from './service/service-commands';
import { systemServiceEnv } from './service/system-env';
import { runDoctor, systemDoctorDeps } from './doctor/run-doctor';
import { formatChecks } from './doctor/check-result';
import { HELPER_VERSION } from './version';
import { DEFAULT_HELPER_PORT } from '../protocol';
import { helperCommand } from './command-name';

const USAGE = `mail-notifier helper ${HELPER_VERSION}

Usage: helper <command>
  start [--port N] [--no-demo] [--log-file FILE]
                            run the helper in the foreground (default port ${DEFAULT_HELPER_PORT}); with no
                            account configured it serves a demo account unless --no-demo; the log
                            goes to stderr, or to FILE (rotated at 1 MiB to FILE.1)
  pair                      print a one-time code to pair the extension (valid 10 minutes)
  status                    accounts, their state and unread counts
  logins [ACCOUNT]          the login log (every login attempt, with its outcome); without
                            ACCOUNT, every account's recent attempts, failed adds included
  retry ACCOUNT             log in once now: after a rejected password or a login cut short
                            (the helper never retries those by itself)
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
    options: { port: { type: 'string' }, 'no-demo': { type: 'boolean' }, 'log-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  const paths = helperPaths();
  if (values.help || !command) return void console.log(USAGE);
  switch (command) {
    case 'start':
      return start(paths, values.port, !values['no-demo'], values['log-file']);
    case 'pair':
      return pair(paths);
    case 'status':
      return status(paths);
    case 'logins':
      return logins(paths, rest[0]);
    case 'retry':
      return retry(paths, rest[0]);
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

async function start(paths: HelperPaths, portArg: string | undefined, demo: boolean, logFile: string | undefined): Promise<void> {
  // The log goes to stderr (or, for the service, to a file it rotates); stdout carries only what
  // the user must read (the pairing code).
  const destination = logFile ? rotatingLogFile(logFile) : process.stderr.isTTY ? await readableLog() : undefined;
  const logger = createLogger(destination ? { destination } : {});
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
      logger.error(`No pairing code: ${err.message} Then run \`${helperCommand('pair')}\`.`);
      return null;
    });
    if (created) {
      console.log(`\nNo browser is paired yet. In the extension's settings page enter:\n  helper address  127.0.0.1:${helper.port}\n  pairing code    ${created.code}   (valid 10 minutes; \`${helperCommand('pair')}\` makes a new one)\n`);
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
  console.log(running ? `Enter it in the extension's settings page (helper at 127.0.0.1:${running.port}).` : `The helper is not running: start it with \`${helperCommand('start')}\`.`);
}

async function status(paths: HelperPaths): Promise<void> {
  const running = await readRuntimeStatus(paths.stateDir);
  const secrets = await openSecretStore({ configDir: paths.configDir });
  console.log(running ? `helper ${running.version} running (pid ${running.pid}) on 127.0.0.1:${running.port}, ${running.clients} browser(s) connected` : 'helper not running');
  console.log(`passwords kept in: ${passwordStoreWords(secrets, paths)}`);
  const config = await loadConfig(paths.configDir);
  // The running helper's accounts too: the demo account lives there, not in the settings.
  const liveOnly = (running?.accounts ?? []).filter((a) => !config.accounts.some((c) => c.id === a.id));
  if (config.accounts.length === 0 && liveOnly.length === 0) {
    return void console.log('no accounts: add one in the extension settings, or `helper account add`');
  }
  for (const account of [...config.accounts, ...liveOnly]) {
    const live = running?.accounts.find((a) => a.id === account.id);
    const state = live ? `${live.state}${live.stateReason ? ` (${live.stateReason})` : ''}, ${live.unreadCount} unread` : 'not running';
    console.log(`- ${accountName(account.id, account.label)}: ${account.username} on ${account.host}${'port' in account ? `:${account.port}` : ''} — ${state}`);
    if (live?.state === 'auth-failed') console.log(`    → \`${helperCommand(`retry ${account.id}`)}\` logs in once, or enter a new password in the settings`);
  }
}

/** Which store holds the passwords, and why not the keychain when it is not. */
function passwordStoreWords(secrets: SecretStore, paths: HelperPaths): string {
  if (secrets.kind === 'keychain') return 'the OS keychain';
  const file = `a file readable only by you (${join(paths.configDir, 'secrets.json')})`;
  return secrets.keychainProblem ? `${file}, because no OS keychain answered: ${secrets.keychainProblem}` : file;
}

/** How an account is named to the user: its label, and what kind of account it is when that is not plain. */
function accountName(id: string, label: string | undefined): string {
  if (id === DEMO_ACCOUNT_ID) return `${id} (the demo account: a local mailbox, not a real account)`;
  return label && label !== id ? `${id} (${label})` : id;
}

/** Every account that has a login log, added or not: a failed add leaves one under its would-be id. */
async function loginLogIds(stateDir: string): Promise<string[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  return names.flatMap((name) => /^logins-(.+)\.jsonl$/.exec(name)?.[1] ?? []).sort();
}

async function logins(paths: HelperPaths, accountId: string | undefined): Promise<void> {
  const config = await loadConfig(paths.configDir);
  const running = await readRuntimeStatus(paths.stateDir);
  const ids = accountId ? [accountId] : await loginLogIds(paths.stateDir);
  if (ids.length === 0) return void console.log('no login recorded yet');
  // With no account named, the recent attempts of each; with one, more of its history.
  const limit = accountId ? 100 : 20;
  for (const id of ids) {
    const entries = await new LoginLog(loginLogPath(paths.stateDir, id)).tail(limit);
    const label = config.accounts.find((a) => a.id === id)?.label ?? running?.accounts.find((a) => a.id === id)?.label;
    const known = id === DEMO_ACCOUNT_ID || config.accounts.some((a) => a.id === id);
    const what = known ? '' : ' — not an added account (an add that failed, or an account since removed)';
    console.log(`${accountName(id, label)}${what}: ${entries.length === limit ? `last ${limit}` : entries.length} login(s)`);
    for (const e of entries) console.log(`  ${new Date(e.at).toISOString()}  ${e.outcome.padEnd(13)} ${e.trigger.padEnd(12)} ${e.reason}`);
  }
}

/**
 * One login now for an account that waits for the user. The running helper is asked through
 * its request folder; a stopped one gets the retry on disk and logs in once when it starts.
 */
async function retry(paths: HelperPaths, accountId: string | undefined): Promise<void> {
  if (!accountId) throw new UserError('Usage: helper retry ACCOUNT (`helper status` lists the accounts)');
  await Promise.all([ensureDir(paths.configDir), ensureDir(paths.stateDir)]);
  const lock = await acquireInstanceLock(paths.configDir).catch((err: unknown) => {
    if (err instanceof AlreadyRunningError) return null;
    throw err;
  });
  if (!lock) {
    const reply = await sendControlRequest(paths.stateDir, { type: 'retry-login', accountId });
    if (!reply.ok) throw new UserError(reply.message);
    return void console.log(reply.message);
  }
  try {
    const config = await loadConfig(paths.configDir);
    if (!config.accounts.some((a) => a.id === accountId)) throw new UserError(`No account "${accountId}": \`helper status\` lists them.`);
    const policy = new LoginPolicy({ store: new FilePolicyStore({ stateDir: paths.stateDir, accountId }), now: Date.now, random: Math.random });
    await policy.load();
    const result = await policy.userRetry();
    if (!result.ok) throw new UserError(`${result.reason} You can retry from ${new Date(result.retryAfter).toLocaleTimeString()}.`);
    console.log(`Retry recorded: ${accountId} logs in once when the helper starts (\`${helperCommand('start')}\`, or the service).`);
  } finally {
    await lock.release();
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
  // Without TLS the server must offer STARTTLS unless this is ticked (helper/mail/transport-security).
  const allowUnencrypted =
    !tls &&
    !isLoopbackHost(host) &&
    (await ask('Without TLS, the helper uses STARTTLS and refuses a server that does not offer it. Allow an UNENCRYPTED connection to such a server (anyone on the network path can read your password and mail)? [y/N] '))
      .toLowerCase()
      .startsWith('y');
  const password = await ask(kind === 'icloud' ? 'App-specific password (xxxx-xxxx-xxxx-xxxx): ' : 'Password: ', { secret: true });
  const secrets = await openSecretStore({ configDir: paths.configDir });
  const registry = await AccountRegistry.open({ configDir: paths.configDir, stateDir: paths.stateDir, secrets });
  try {
    const added = await registry.addAccount({ kind, host, port, tls, ...(allowUnencrypted ? { allowUnencrypted } : {}), username, password });
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
    if (!result.ok) throw new UserError(printable(result.reason));
    const running = await readRuntimeStatus(paths.stateDir);
    const after = running ? 'the running helper closes its connections within seconds' : 'it is refused from its next connection on';
    return void console.log(printable(`revoked ${result.revoked.id} (${result.revoked.label}); ${after}`));
  }
  const list = await store.list();
  if (list.length === 0) return void console.log('no paired browsers');
  for (const t of list) {
    const used = t.lastUsedAt ? `last used ${new Date(t.lastUsedAt).toISOString()}` : 'never used';
    // Names come from whoever paired: printed with any control character made visible.
    console.log(printable(`${t.id}  ${t.label}  paired ${new Date(t.createdAt).toISOString()}, ${used}${t.origin ? `, from ${t.origin}` : ''}`));
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
