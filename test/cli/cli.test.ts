/**
 * The `helper` command as a user runs it (a child process with its own MAIL_NOTIFIER_HOME):
 * clear messages, no stack traces, for the errors a user can run into.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, withTimeout } from '../harness/wait';
import { freePort, startHelperProcess } from '../e2e/helper-process';
import { readRuntimeStatus } from '../../helper/runtime-status';

const BIN = resolve(import.meta.dirname, '../../helper/bin.mjs');
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mn-cli-'));
});
afterAll(async () => rm(home, { recursive: true, force: true }));

function helper(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, MAIL_NOTIFIER_HOME: env.HOME_DIR ?? home },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('helper CLI', () => {
  it('status on a fresh machine says what to do', () => {
    const { code, out } = helper(['status']);
    expect(code).toBe(0);
    expect(out).toContain('helper not running');
    expect(out).toMatch(/passwords kept in: (the OS keychain|a file readable only by you)/);
    expect(out).toContain('no accounts');
  });

  it('an unreadable config is named, with no stack trace', async () => {
    const broken = join(home, 'broken');
    await mkdir(join(broken, 'config'), { recursive: true });
    await writeFile(join(broken, 'config', 'config.json'), '{ "version": 1, "accounts": [ { "id": 5 } ] }');
    const { code, err } = helper(['status'], { HOME_DIR: broken });
    expect(code).toBe(1);
    expect(err).toContain('config.json');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('pair prints a one-time code', () => {
    const { code, out } = helper(['pair']);
    expect(code).toBe(0);
    expect(out).toMatch(/Pairing code: [A-Z2-9]{4}-[A-Z2-9]{4}/);
  });

  it('start on a port in use says so and exits', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [BIN, 'start', '--no-demo', '--port', String(port)], {
        env: { ...process.env, MAIL_NOTIFIER_HOME: home },
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await withTimeout(new Promise<number | null>((r) => child.on('exit', r)), 20_000, 'helper exit');
      expect(code).toBe(1);
      expect(err).toContain(`port ${port} is in use`);
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('tokens never prints a control character, whatever name a browser gave when pairing', async () => {
    const own = join(home, 'tokens');
    await mkdir(join(own, 'config'), { recursive: true });
    // Written as a file from before names were cleaned at pairing would hold it.
    const label = '\u001b[2J\u001b[HChrome\r\n0123456789ab  Trusted laptop  paired 2020\u202e\u0007';
    const entry = { id: '0a1b2c3d4e5f', label, hash: 'a'.repeat(64), createdAt: 1_700_000_000_000 };
    await writeFile(join(own, 'config', 'tokens.json'), JSON.stringify({ version: 1, tokens: [entry] }));
    const { code, out } = helper(['tokens'], { HOME_DIR: own });
    expect(code).toBe(0);
    expect(out).toContain('0a1b2c3d4e5f');
    expect(out).toContain('Chrome 0123456789ab Trusted laptop paired 2020');
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069]/u);
  });

  it('start --log-file writes the log to that file (as the service runs it), not to stderr', async () => {
    const own = join(home, 'log-file');
    const logFile = join(own, 'logs', 'helper.err.log');
    const child = spawn(process.execPath, [BIN, 'start', '--no-demo', '--port', String(await freePort()), '--log-file', logFile], {
      env: { ...process.env, MAIL_NOTIFIER_HOME: own },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      await pollUntil(async () => (await readFile(logFile, 'utf8').catch(() => '')).includes('helper listening'), {
        what: 'the log file to say the helper listens',
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await withTimeout(exited, 20_000, 'helper exit')).toBe(0);
    expect(err).not.toContain('helper listening');
    expect(await readFile(logFile, 'utf8')).toContain('"msg":"stopping"');
  });

  it('a second start on the same home exits within 5 s saying which pid runs; SIGTERM ends the first (exit 0)', async () => {
    const own = await mkdtemp(join(tmpdir(), 'mn-cli-twice-'));
    const first = await startHelperProcess({ home: own, port: await freePort(), name: 'cli-twice' });
    try {
      const running = await readRuntimeStatus(join(own, 'state'));
      expect(running?.pid).toBeGreaterThan(0);
      const started = Date.now();
      const child = spawn(process.execPath, [BIN, 'start', '--no-demo', '--port', String(await freePort())], {
        env: { ...process.env, MAIL_NOTIFIER_HOME: own },
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await withTimeout(new Promise<number | null>((r) => child.on('exit', r)), 5_000, 'the second helper to exit');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(err).toContain(`already running (pid ${running!.pid})`);
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      expect(await first.kill('SIGTERM')).toBe(0);
      await rm(own, { recursive: true, force: true });
    }
  });

  it('an unknown command shows the usage', () => {
    const { code, err } = helper(['frobnicate']);
    expect(code).toBe(1);
    expect(err).toContain('Unknown command "frobnicate"');
    expect(err).toContain('helper <command>');
  });
});
