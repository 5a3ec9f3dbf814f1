/**
 * `helper start` logs for a person on a terminal (pino-pretty, loaded only then) and JSON lines
 * anywhere else: the service's log file, and every other test, which read stderr through a pipe.
 * The terminal is a real pseudo-terminal from util-linux's `script`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import HELPER_NODE_FLAGS from '../../helper/node-flags.json';
import { freePort } from '../e2e/helper-process';
import { withTimeout } from '../harness/wait';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
let home: string | undefined;

afterEach(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** Starts the helper with no account, returns what it printed up to "listening on", and stops it. */
async function startOutput(onTerminal: boolean): Promise<string> {
  home = await mkdtemp(join(tmpdir(), 'mn-log-format-'));
  const helper = [process.execPath, ...HELPER_NODE_FLAGS, BIN, 'start', '--no-demo', '--port', String(await freePort())];
  // `script -qec CMD /dev/null` runs CMD with a pseudo-terminal as its stdin, stdout and stderr.
  const [command, args] = onTerminal ? ['script', ['-qec', helper.map((a) => `'${a}'`).join(' '), '/dev/null']] : [helper[0], helper.slice(1)];
  const child = spawn(command as string, args as string[], { env: { ...process.env, MAIL_NOTIFIER_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  const listening = new Promise<void>((resolveListening) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (/listening on 127\.0\.0\.1/.test(text)) resolveListening();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const exited = new Promise((resolveExit) => child.on('exit', resolveExit));
  try {
    await withTimeout(listening, 20_000, 'the helper to listen');
  } finally {
    // Through the terminal, SIGTERM to `script` would leave the helper behind; Ctrl-C reaches it.
    if (onTerminal) child.stdin.write('\x03');
    else child.kill('SIGTERM');
    await withTimeout(exited, 10_000, 'the helper to exit');
  }
  return text;
}

it('logs readable lines on a terminal', async () => {
  // Colours (the terminal gets them) and the terminal's \r\n line ends left out.
  const text = (await startOutput(true)).replace(/\x1b\[[\d;]*m|\r/g, '');
  expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] .*INFO.*: helper \S+ listening on 127\.0\.0\.1:\d+/m);
  expect(text).not.toMatch(/^\{"level"/m);
});

it('logs JSON lines when stderr is not a terminal', async () => {
  const text = await startOutput(false);
  const line = text.split('\n').find((l) => l.includes('listening on'))!;
  expect(JSON.parse(line)).toMatchObject({ level: 30, msg: expect.stringMatching(/^helper \S+ listening on 127\.0\.0\.1:\d+/) });
});
