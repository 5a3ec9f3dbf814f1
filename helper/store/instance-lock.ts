/**
 * One helper per home: two helpers on one config would run two sessions per account. The lock
 * is a local socket the holder listens on, named after the config dir: the operating system
 * lets only one process listen on it and frees it when that process ends however it ends, so a
 * crash leaves no stale lock. Linux uses the abstract namespace and Windows a named pipe (neither
 * leaves a file); elsewhere (macOS) it is a socket file in the config dir, removed when no one
 * answers on it. A process that finds it taken asks the holder for its pid.
 */
import { createHash } from 'node:crypto';
import { realpath, unlink } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { helperCommand } from '../command-name';

export interface InstanceLock {
  release(): Promise<void>;
}

export class AlreadyRunningError extends Error {
  constructor(
    readonly pid: number | null,
    configDir: string,
  ) {
    super(
      `The helper is already running (pid ${pid ?? 'unknown'}) with the settings in ${configDir}: only one may run per settings folder. `
        + `To pair another browser with it, run \`${helperCommand('pair')}\`; to restart it, stop that one first.`,
    );
    this.name = 'AlreadyRunningError';
  }
}

const ASK_TIMEOUT_MS = 2_000;

function lockEndpoint(configDir: string): { path: string; isFile: boolean } {
  const id = createHash('sha256').update(configDir).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0mail-notifier-${id}`, isFile: false };
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\mail-notifier-${id}`, isFile: false };
  return { path: join(configDir, 'helper.lock'), isFile: true };
}

function listen(server: Server, path: string): Promise<'listening' | 'taken'> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve('taken') : reject(err));
    server.once('error', onError);
    server.listen({ path, exclusive: true }, () => {
      server.off('error', onError);
      resolve('listening');
    });
  });
}

/** The holder's pid; null when it answers without one; 'gone' when nothing listens (a file left by a crash). */
function askHolder(path: string): Promise<number | null | 'gone'> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ path });
    const done = (value: number | null | 'gone') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), ASK_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      try {
        const pid = (JSON.parse(text) as { pid?: unknown }).pid;
        done(typeof pid === 'number' ? pid : null);
      } catch {
        done(null);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'gone' : null));
  });
}

/** Takes this home's lock or throws AlreadyRunningError; call before anything logs in. */
export async function acquireInstanceLock(configDir: string): Promise<InstanceLock> {
  const dir = await realpath(configDir);
  const endpoint = lockEndpoint(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = createServer((socket) => socket.end(`${JSON.stringify({ pid: process.pid })}\n`));
    if ((await listen(server, endpoint.path)) === 'listening') {
      return {
        release: () =>
          new Promise<void>((resolve) => server.close(() => resolve())).then(async () => {
            if (endpoint.isFile) await unlink(endpoint.path).catch(() => undefined);
          }),
      };
    }
    const holder = await askHolder(endpoint.path);
    if (holder !== 'gone') throw new AlreadyRunningError(holder, dir);
    // Only a socket file can outlive its process: remove it and try once more.
    if (!endpoint.isFile) break;
    await unlink(endpoint.path).catch(() => undefined);
  }
  throw new AlreadyRunningError(null, dir);
}
