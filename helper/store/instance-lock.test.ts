/** One helper per home: the lock is taken once, names its holder's pid, and is free again after release. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, AlreadyRunningError } from './instance-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mn-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acquireInstanceLock', () => {
  it('refuses a second holder with the first one pid, and is free again once released', async () => {
    const first = await acquireInstanceLock(dir);
    const err = await acquireInstanceLock(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyRunningError);
    expect((err as AlreadyRunningError).pid).toBe(process.pid);
    expect((err as Error).message).toContain(`already running (pid ${process.pid})`);
    await first.release();
    const again = await acquireInstanceLock(dir);
    await again.release();
  });

  it('is per home: another config dir has a lock of its own', async () => {
    const other = await mkdtemp(join(tmpdir(), 'mn-lock-other-'));
    const a = await acquireInstanceLock(dir);
    try {
      const b = await acquireInstanceLock(other);
      await b.release();
    } finally {
      await a.release();
      await rm(other, { recursive: true, force: true });
    }
  });
});
