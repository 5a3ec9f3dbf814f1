/**
 * JSON files that are either the old or the new version, never half of each: write to a temp
 * file, fsync, rename. Failures become a StorageError whose message a user can act on, so a full
 * or read-only disk is reported once instead of crashing the helper in a loop.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export type StorageProblem = 'disk-full' | 'read-only' | 'permission' | 'corrupt' | 'io';

export class StorageError extends Error {
  constructor(
    readonly problem: StorageProblem,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;
}

/** Wraps a file-system error; `doing` reads like "write", "read". */
export function toStorageError(err: unknown, path: string, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = errnoCode(err);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('disk-full', path, `Could not ${doing} ${path}: the disk is full. Free some space and try again.`, { cause: err });
    case 'EROFS':
      return new StorageError('read-only', path, `Could not ${doing} ${path}: the file system is read-only.`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new StorageError('permission', path, `Could not ${doing} ${path}: permission denied. Check the owner and mode of the file and its folder.`, { cause: err });
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return new StorageError('io', path, `Could not ${doing} ${path}: ${detail}`, { cause: err });
    }
  }
}

/** Creates a private directory (0700) if missing. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw toStorageError(err, dir, 'create the folder');
  }
}

export async function writeJsonAtomic(path: string, value: unknown, options: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDir(dir);
  } catch (err) {
    // Best effort: the write error is the one worth reporting.
    await rm(temp, { force: true }).catch(() => undefined);
    throw toStorageError(err, path, 'write');
  }
}

/** Makes the rename itself durable. Windows cannot open a directory for fsync. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The parsed file, or undefined if it does not exist. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw toStorageError(err, path, 'read');
  }
  try {
    return JSON.parse(text);
  } catch {
    // No parser detail: V8 quotes the text around the error, and the file may hold a password.
    throw corruptFile(path, 'it is not valid JSON');
  }
}

/** For a file that parsed but does not have the expected shape, too. */
export function corruptFile(path: string, what: string): StorageError {
  return new StorageError('corrupt', path, `${path} is damaged: ${what}. Fix it by hand, or move it away to start that file afresh.`);
}
