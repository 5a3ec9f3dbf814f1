/**
 * A lock between processes around a read-modify-write of one file: the helper (recording a
 * token's use, pairing) and the CLI (revoking) both rewrite tokens.json, and without it a write
 * based on an older read would bring a revoked token back. The lock is a file created with
 * O_EXCL next to the one it guards; one left by a process that died is taken over once it is
 * older than any real operation could be.
 */
import { open, rm, stat } from 'node:fs/promises';
import { toStorageError } from './atomic-file';

export interface FileLockOptions {
  /** A lock older than this was left by a dead process. */
  staleMs?: number;
  /** Give up (with a StorageError) after waiting this long. */
  timeoutMs?: number;
}

const RETRY_MS = 15;

function errnoCode(err: unknown): string | undefined {
  return (err as { code?: unknown } | null)?.code as string | undefined;
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    await (await open(lockPath, 'wx', 0o600)).close();
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw toStorageError(err, lockPath, 'create the lock file');
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > staleMs;
  } catch (err) {
    // Gone in between: free, not stale; the next try takes it.
    if (errnoCode(err) === 'ENOENT') return false;
    throw toStorageError(err, lockPath, 'read the lock file');
  }
}

export async function withFileLock<T>(path: string, operation: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockPath = `${path}.lock`;
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  for (let tries = 0; !(await tryCreate(lockPath)); tries++) {
    if (await isStale(lockPath, staleMs)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline || tries > timeoutMs / RETRY_MS) {
      throw toStorageError(new Error(`another process holds ${lockPath}; if none does, delete that file`), path, 'lock');
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS + Math.random() * RETRY_MS));
  }
  try {
    return await operation();
  } finally {
    await rm(lockPath, { force: true });
  }
}
