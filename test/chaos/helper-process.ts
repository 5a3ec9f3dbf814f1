/**
 * The real helper as a service manager runs it: `node helper/bin.mjs start` in its own process,
 * with MAIL_NOTIFIER_HOME in a temp dir, one account configured (the password in the file secret
 * store), killed however the scenario likes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addAccount, saveConfig } from '../../helper/store/config';
import { helperPaths, type HelperPaths } from '../../helper/store/paths';
import { openSecretStore } from '../../helper/store/secrets';
import { withTimeout } from '../harness/wait';
import { ACCOUNT_ID } from './driven-session';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
const START_MS = 20_000;

export interface HelperHome {
  home: string;
  paths: HelperPaths;
  /** The loopback port the helper's WebSocket listens on. */
  port: number;
  remove(): Promise<void>;
}

/** A helper home with one plain-IMAP account at host:port. */
export async function helperHome(account: { host: string; port: number; user: string; pass: string }): Promise<HelperHome> {
  const home = await mkdtemp(join(tmpdir(), 'mn-chaos-home-'));
  const paths = helperPaths({ MAIL_NOTIFIER_HOME: home });
  await saveConfig(paths.configDir, addAccount({ version: 1, accounts: [] }, {
    id: ACCOUNT_ID, label: 'chaos', kind: 'imap', host: account.host, port: account.port, tls: false, username: account.user,
  }));
  await (await openSecretStore({ configDir: paths.configDir, prefer: 'file' })).set(ACCOUNT_ID, account.pass);
  return { home, paths, port: await freePort(), remove: () => rm(home, { recursive: true, force: true }) };
}

export interface RunningHelperProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when it printed that it listens, or rejects if it exits first. */
  started: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startHelperProcess(h: HelperHome): RunningHelperProcess {
  const child = spawn(process.execPath, [BIN, 'start', '--port', String(h.port)], {
    env: { ...process.env, MAIL_NOTIFIER_HOME: h.home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const started = withTimeout(
    new Promise<void>((done, fail) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (/listening on 127\.0\.0\.1/.test(text)) done();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then(({ code, signal }) => fail(new Error(`the helper exited (${signal ?? code}) before listening:\n${text}`)));
    }),
    START_MS,
    'the helper to listen',
  );
  started.catch(() => undefined);
  return { child, output: () => text, started, exited };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });
}
