import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, StorageError, toStorageError, writeJsonAtomic } from './atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeJsonAtomic / readJson', () => {
  it('round-trips, creates missing folders 0700, writes files 0600 and leaves no temp file', async () => {
    const file = join(dir, 'a', 'b', 'x.json');
    await writeJsonAtomic(file, { n: 1 });
    await writeJsonAtomic(file, { n: 2 });
    expect(await readJson(file)).toEqual({ n: 2 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['x.json']);
  });

  it('reads a missing file as undefined', async () => {
    expect(await readJson(join(dir, 'none.json'))).toBeUndefined();
  });

  it('names a corrupt file and what to do, without quoting its content', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"password": s3cr3t-value');
    const err = await readJson(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ problem: 'corrupt', path: file });
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/move it away/);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('keeps the old content when the write fails', async () => {
    const file = join(dir, 'x.json');
    await writeJsonAtomic(file, { n: 1 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(writeJsonAtomic(file, circular)).rejects.toBeInstanceOf(StorageError);
    expect(await readFile(file, 'utf8')).toContain('"n": 1');
    expect(await readdir(dir)).toEqual(['x.json']);
  });

  it('reports a path that cannot be written as a StorageError', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(writeJsonAtomic(join(dir, 'file', 'x.json'), {})).rejects.toMatchObject({ name: 'StorageError', problem: 'io' });
  });
});

describe('toStorageError', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: boom`), { code });
  it.each([
    ['ENOSPC', 'disk-full', /disk is full/],
    ['EDQUOT', 'disk-full', /disk is full/],
    ['EROFS', 'read-only', /read-only/],
    ['EACCES', 'permission', /permission denied/],
    ['EIO', 'io', /EIO: boom/],
  ])('%s → %s', (code, problem, message) => {
    const err = toStorageError(errno(code), '/some/file.json', 'write');
    expect(err).toMatchObject({ problem, path: '/some/file.json' });
    expect(err.message).toMatch(message);
    expect(err.message).toContain('/some/file.json');
  });
});
