/**
 * The real helper as a user runs it: `node <node-flags> helper/bin.mjs start` (or the single executable) in a child process, with its own
 * MAIL_NOTIFIER_HOME. Its log (stderr: JSON lines, as stderr is not a terminal) is kept in
 * test-artifacts/logs, which the suite-wide secret check reads; stdout is what the user reads (the
 * pairing code) and is only searched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { withTimeout } from '../harness/wait';
import HELPER_NODE_FLAGS from '../../helper/node-flags.json';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
const LOGS = resolve(import.meta.dirname, '../../test-artifacts/logs');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** One line of the helper's JSON log: pino's fields (`msg`, `level`, `time`) and the logged object's. */
export type LogEntry = Record<string, unknown> & { msg?: string };

function logEntries(text: string): LogEntry[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogEntry];
    } catch {
      return []; // a line still being written
    }
  });
}

export interface HelperProcess {
  port: number;
  /** The node process running the helper (its memory is read from /proc by the door scenario). */
  pid: number;
  /** Everything the helper printed so far. */
  output(): string;
  /** Resolves when the output (from character `from` on) matches, with the match. */
  waitForOutput(pattern: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the first log entry (from character `from` of the output on) that `match` accepts. */
  waitForLog(match: (entry: LogEntry) => boolean, what: string, ms?: number, from?: number): Promise<LogEntry>;
  /** Sends `signal` (SIGKILL for a crash) and resolves with the exit code once it is gone (null: ended by the signal). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>;
}

/** One CLI command (`helper tokens`, `helper pair`, …) run as a user runs it, next to a running helper. */
export function runHelperCommand(home: string, args: string[], ms = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [...HELPER_NODE_FLAGS, BIN, ...args], { env: { ...process.env, MAIL_NOTIFIER_HOME: home } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return withTimeout(new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err }))), ms, `helper ${args.join(' ')}`);
}

export interface HelperProcessOptions {
  home: string;
  port: number;
  name: string;
  demo?: boolean;
  env?: Record<string, string>;
  /**
   * The helper's single executable (scripts/build-sea.mjs) to run instead of node and bin.mjs. It
   * gets nothing of this process's environment (no PATH, no NODE_OPTIONS) beyond `env`: it is
   * started as on a machine without Node.
   */
  executable?: string;
}

export async function startHelperProcess(opts: HelperProcessOptions): Promise<HelperProcess> {
  mkdirSync(LOGS, { recursive: true });
  const log = createWriteStream(join(LOGS, `helper-${opts.name}.log`), { flags: 'a' });
  const command = ['start', '--port', String(opts.port), ...(opts.demo ? [] : ['--no-demo'])];
  const env = { ...(opts.executable ? {} : process.env), ...opts.env, MAIL_NOTIFIER_HOME: opts.home };
  const child: ChildProcess = opts.executable
    ? spawn(opts.executable, command, { env })
    : spawn(process.execPath, [...HELPER_NODE_FLAGS, BIN, ...command], { env });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    onData(chunk);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  void exited.then(() => log.end());
  const kill = async (signal: NodeJS.Signals): Promise<number | null> => {
    child.kill(signal);
    return withTimeout(exited, 10_000, 'the helper to exit');
  };

  /** Resolves with what `find` finds, checked now and after each chunk of output. */
  const waitUntil = <T>(find: () => T | null | undefined, ms: number, what: string) =>
    withTimeout(
      new Promise<T>((resolvePromise) => {
        const check = () => {
          const found = find();
          if (found === null || found === undefined) return;
          waiters.delete(check);
          resolvePromise(found);
        };
        waiters.add(check);
        check();
      }),
      ms,
      what,
    );
  const waitForOutput = (pattern: RegExp, ms = 20_000, from = 0) => waitUntil(() => text.slice(from).match(pattern), ms, `helper output ${pattern}`);
  const waitForLog = (match: (entry: LogEntry) => boolean, what: string, ms = 20_000, from = 0) =>
    waitUntil(() => logEntries(text.slice(from)).find(match), ms, `the helper to log ${what}`);
  await waitForOutput(/listening on 127\.0\.0\.1:\d+/);
  return {
    port: opts.port,
    pid: child.pid!,
    output: () => text,
    waitForOutput,
    waitForLog,
    kill,
    async stop() {
      await kill('SIGTERM');
    },
  };
}
