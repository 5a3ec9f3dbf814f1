import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoginLogEntry } from '../../protocol';
import { LoginLog, loginLogPath } from './login-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'login-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (at: number, outcome: LoginLogEntry['outcome'] = 'success'): LoginLogEntry => ({ at, outcome, reason: `r${at}`, trigger: 'start' });

describe('LoginLog', () => {
  it('appends entries and reads them back, oldest first; tail gives the newest', async () => {
    const log = new LoginLog(loginLogPath(join(dir, 'state'), 'work'));
    for (let i = 1; i <= 5; i++) await log.append(entry(i));
    expect(await log.readAll()).toEqual([1, 2, 3, 4, 5].map((i) => entry(i)));
    expect(await log.tail(2)).toEqual([entry(4), entry(5)]);
    expect(await log.tail(0)).toEqual([]);
    expect((await stat(log.path)).mode & 0o777).toBe(0o600);
    expect(log.path).toBe(join(dir, 'state', 'logins-work.jsonl'));
  });

  it('reads a missing log as empty', async () => {
    expect(await new LoginLog(join(dir, 'none.jsonl')).readAll()).toEqual([]);
  });

  it('skips a line torn by a crash, and the next append (after a restart) is not lost', async () => {
    const path = join(dir, 'logins-work.jsonl');
    await new LoginLog(path).append(entry(1));
    await appendFile(path, '{"at":2,"outco');
    const restarted = new LoginLog(path);
    await restarted.append(entry(3, 'network'));
    expect(await restarted.readAll()).toEqual([entry(1), entry(3, 'network')]);
  });

  it('refuses an entry carrying fields beyond the log format, such as a password', async () => {
    const log = new LoginLog(join(dir, 'l.jsonl'));
    await expect(log.append({ ...entry(1), password: 'hunter2' } as LoginLogEntry)).rejects.toThrow();
    await expect(readFile(log.path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an account id that could escape the state folder', () => {
    expect(() => loginLogPath(dir, '../etc')).toThrow(/Invalid account id/);
  });
});
