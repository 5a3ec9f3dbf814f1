/**
 * A real Dovecot (Debian's dovecot-imapd 2.3) per call, on 127.0.0.1 at a free port, living in a
 * temp dir of its own, so test files running in parallel processes never share a server.
 *
 * Intended use, one server per test file (stop() also runs when a test fails):
 *
 *   let server: DovecotServer;
 *   beforeAll(async () => { server = await startDovecot({ profile: 'icloud', users: [{ user: 'alice', pass: 'pw' }] }); });
 *   afterAll(async () => { await server?.stop(); });
 *
 * A server a test forgot to stop still stops when the test process ends, however it ends
 * (see WATCHDOG); only its temp dir is then left behind.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import {
  GENERATION_FIELD, renderDovecotConfig, renderPasswdFile,
  type DovecotPaths, type DovecotProfile, type DovecotUser,
} from './dovecot-config';
import { pollUntil, withTimeout } from './wait';

export interface StartDovecotOptions {
  profile: DovecotProfile;
  users: DovecotUser[];
  /** Dovecot's mail_max_userip_connections (its default is 10); beyond it LOGIN gets `NO [LIMIT]`
   *  (`NO [UNAVAILABLE]` from Debian's 2.3.19.1+dfsg1-2.1+deb12u6). */
  maxUserIpConnections?: number;
}

export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  profile: DovecotProfile;
  /** Rewrites the passwd-file; resolves once Dovecot has read it, so the next login uses `pass`. */
  setPassword(user: string, pass: string): Promise<void>;
  /** Gives `mailbox` of `user` a new UIDVALIDITY, as a server does after rebuilding its index. */
  setUidValidity(user: string, mailbox: string, uidValidity: number): Promise<void>;
  /** Drops every session of `user` (`doveadm kick`); rejects when there is none. */
  kick(user: string): Promise<void>;
  logText(): Promise<string>;
  /** What the server saw of `user`'s logins, from its own log: successes and wrong passwords. */
  logins(user: string): Promise<{ succeeded: number; rejected: number }>;
  /** How many IMAP sessions `user` has open now (`doveadm who`). */
  sessions(user: string): Promise<number>;
  /** Runs doveadm against this server (e.g. `import` to fill a mailbox fast); resolves with its output. */
  doveadm(...args: string[]): Promise<string>;
  /** Stops Dovecot with all its sessions and deletes its dir; safe to call twice. */
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const PASSWD_RELOAD_TIMEOUT_MS = 5_000;
/** Another process may take the free port before Dovecot binds it. */
const PORT_ATTEMPTS = 3;
/** The passwd-file's mtime is this plus its generation (see writePasswd). */
const PASSWD_MTIME_BASE_S = 1_000_000_000;

/**
 * Runs the master in the foreground under a shell that leads a process group of its own. Once the
 * shell's stdin closes (stop(), or the test process dying in any way, even SIGKILL) it sends
 * SIGTERM to that whole group: the master alone would leave active IMAP sessions running for up
 * to 10 s. The shell exits when the master does, so a failed start is an exit event.
 * (A background job's stdin is /dev/null, hence the copy on fd 3.)
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" -F -c "$1" </dev/null &',
  'master=$!',
  '(read -r _ <&3; kill -s TERM -- "-$$") &',
  'wait "$master"',
].join('\n');

export async function startDovecot(opts: StartDovecotOptions): Promise<DovecotServer> {
  if (process.getuid?.() !== 0) {
    throw new Error('startDovecot must run as root: Dovecot itself switches to nobody (mail) and dovenull (logins).');
  }
  const dovecotBin = findProgram('dovecot');
  const doveadmBin = findProgram('doveadm');
  const dir = await mkdtemp(join(tmpdir(), 'mn-dovecot-'));
  try {
    return await startIn(dir, opts, dovecotBin, doveadmBin);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, opts: StartDovecotOptions, dovecotBin: string, doveadmBin: string): Promise<DovecotServer> {
  const paths: DovecotPaths = {
    baseDir: join(dir, 'run'),
    stateDir: join(dir, 'state'),
    logFile: join(dir, 'dovecot.log'),
    passwdFile: join(dir, 'passwd'),
    homeDir: join(dir, 'home'),
  };
  const configFile = join(dir, 'dovecot.conf');
  // Mail processes run as nobody and must reach their home below the (0700) temp dir.
  await chmod(dir, 0o755);
  await Promise.all([mkdir(paths.baseDir), mkdir(paths.stateDir), mkdir(paths.homeDir)]);
  await chown(paths.homeDir, await systemId('passwd', 'nobody'), await systemId('group', 'nogroup'));
  // Dovecot's auth process runs as the dovecot user and reads the passwd-file; nobody else may.
  const authGid = await systemId('group', 'dovecot');

  const users = new Map(opts.users.map(({ user, pass }) => [user, pass]));
  let generation = 0;
  const writePasswd = async (): Promise<number> => {
    const mine = ++generation;
    const tmp = `${paths.passwdFile}.${mine}`;
    await writeFile(tmp, renderPasswdFile([...users].map(([user, pass]) => ({ user, pass })), mine), { mode: 0o640 });
    await chown(tmp, 0, authGid);
    // Dovecot re-reads the file only when its mtime (whole seconds) or size changed.
    await utimes(tmp, PASSWD_MTIME_BASE_S + mine, PASSWD_MTIME_BASE_S + mine);
    await rename(tmp, paths.passwdFile);
    return mine;
  };
  await writePasswd();

  const instanceName = basename(dir);
  const { child, port, exited } = await launchOnFreePort(dovecotBin, configFile, paths.logFile, instanceName, (port) =>
    renderDovecotConfig({ paths, port, instanceName, profile: opts.profile, maxUserIpConnections: opts.maxUserIpConnections }));

  const doveadm = async (...args: string[]): Promise<string> =>
    (await execFileAsync(doveadmBin, ['-c', configFile, ...args])).stdout;

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    child.stdin!.end();
    await withTimeout(exited, STOP_TIMEOUT_MS, `dovecot to stop (its dir: ${dir})`);
    await rm(dir, { recursive: true, force: true });
  };

  return {
    host: HOST,
    port,
    profile: opts.profile,
    async setPassword(user, pass) {
      users.set(user, pass);
      const expected = await writePasswd();
      // Dovecot checks the file at most once a second: ask it until it reports this generation.
      await pollUntil(async () => readGeneration(await doveadm('auth', 'lookup', user)) >= expected, {
        what: `dovecot to read the new password of ${user}`, timeoutMs: PASSWD_RELOAD_TIMEOUT_MS, intervalMs: 50,
      });
    },
    async setUidValidity(user, mailbox, uidValidity) {
      await doveadm('mailbox', 'update', '-u', user, '--uid-validity', String(uidValidity), mailbox);
    },
    async kick(user) {
      try {
        await doveadm('kick', user);
      } catch (err) {
        // doveadm's EX_NOUSER: the user had no session, which a test should not take for a kick.
        if ((err as { code?: unknown }).code === 68) throw new Error(`kick: ${user} has no session to kick`);
        throw err;
      }
    },
    logText: () => readFile(paths.logFile, 'utf8'),
    async logins(user) {
      const log = await readFile(paths.logFile, 'utf8');
      const count = (pattern: RegExp) => log.split('\n').filter((line) => pattern.test(line)).length;
      return {
        succeeded: count(new RegExp(`imap-login: Info: Login: user=<${escapeRegExp(user)}>`)),
        rejected: count(new RegExp(`passwd-file\\(${escapeRegExp(user)},[^)]*\\): (Password mismatch|unknown user)`)),
      };
    },
    async sessions(user) {
      // "zed      1 imap  (9629) (127.0.0.1)": the second column counts the user's connections.
      const row = (await doveadm('who', user)).split('\n').find((line) => line.split(/\s+/)[0] === user);
      return row ? Number(row.split(/\s+/)[1]) : 0;
    },
    doveadm,
    stop: () => (stopping ??= stop()),
  };
}

interface RunningMaster {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

interface FailedLaunch {
  reason: string;
  stderr: string;
  portTaken: boolean;
}

async function launchOnFreePort(
  dovecotBin: string, configFile: string, logFile: string, instanceName: string, configForPort: (port: number) => string,
): Promise<RunningMaster> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(configFile, configForPort(port));
    const launched = await launchMaster(dovecotBin, configFile, port, instanceName);
    if ('child' in launched) return launched;
    if (!launched.portTaken || attempt >= PORT_ATTEMPTS) {
      const log = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
      throw new Error(`dovecot did not start: ${launched.reason}\n${launched.stderr}${log}`);
    }
  }
}

async function launchMaster(
  dovecotBin: string, configFile: string, port: number, instanceName: string,
): Promise<RunningMaster | FailedLaunch> {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, dovecotBin, configFile], { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  let exitReason: string | undefined;
  child.once('exit', (code, signal) => { exitReason = `exited with ${signal ?? code}`; });
  // 'close' comes after stderr is fully read.
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => { exitReason = err.message; resolve(); });
    child.once('close', () => resolve());
  });
  let failure: string | undefined;
  try {
    await pollUntil(async () => exitReason !== undefined || (await greetingOn(port)).includes(instanceName), {
      what: `dovecot to greet on port ${port}`, timeoutMs: START_TIMEOUT_MS, intervalMs: 25,
    });
    failure = exitReason;
  } catch (err) {
    failure = (err as Error).message;
  }
  if (failure === undefined) return { child, port, exited };
  child.stdin!.end();
  await withTimeout(exited, STOP_TIMEOUT_MS, 'a failed dovecot to exit');
  return { reason: failure, stderr, portTaken: /Address already in use/.test(stderr) };
}

/** The first line a server on `port` sends, or '' when nothing answers. */
function greetingOn(port: number): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect({ host: HOST, port });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.setEncoding('latin1').on('data', (text: string) => {
      received += text;
      if (received.includes('\r\n')) socket.destroy();
    });
    socket.once('error', () => undefined);
    socket.once('close', () => {
      const end = received.indexOf('\r\n');
      resolve(end === -1 ? '' : received.slice(0, end));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readGeneration(lookupOutput: string): number {
  const match = new RegExp(`${GENERATION_FIELD}\\s*:\\s*(\\d+)`).exec(lookupOutput);
  return match ? Number(match[1]) : 0;
}

/** Dovecot lives in /usr/sbin, which a non-root PATH may lack. */
function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  const found = dirs.filter(Boolean).map((d) => join(d, name)).find((path) => existsSync(path));
  if (!found) throw new Error(`${name} is not installed: run scripts/ensure-system-packages.sh (package dovecot-imapd).`);
  return found;
}

async function systemId(database: 'passwd' | 'group', name: string): Promise<number> {
  const { stdout } = await execFileAsync('getent', [database, name]);
  return Number(stdout.split(':')[2]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
