/**
 * The user-visible login log: one JSON line per login attempt, appended and fsync'd, never
 * rewritten. A crash can tear the last line; reading skips it and the next append starts on a
 * fresh line so the torn bytes cannot swallow a good entry.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as v from 'valibot';
import { LoginLogEntrySchema, type LoginLogEntry } from '../../protocol';
import { assertAccountId } from './account-id';
import { ensureDir, toStorageError } from './atomic-file';

export function loginLogPath(stateDir: string, accountId: string): string {
  assertAccountId(accountId);
  return join(stateDir, `logins-${accountId}.jsonl`);
}

export class LoginLog {
  /** Whether the file is known to end with a newline (checked on the first append). */
  private endsClean = false;

  constructor(readonly path: string) {}

  async append(entry: LoginLogEntry): Promise<void> {
    // Checked against the protocol's strict schema: an extra field (a password) is refused, not written.
    const line = JSON.stringify(v.parse(LoginLogEntrySchema, entry));
    try {
      if (!this.endsClean) await ensureDir(dirname(this.path));
      const handle = await open(this.path, 'a+', 0o600);
      try {
        const prefix = this.endsClean || (await endsWithNewline(handle)) ? '' : '\n';
        await handle.appendFile(`${prefix}${line}\n`);
        await handle.sync();
        this.endsClean = true;
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw toStorageError(err, this.path, 'append to');
    }
  }

  /** All readable entries, oldest first; unreadable lines (a torn tail) are skipped. */
  async readAll(): Promise<LoginLogEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toStorageError(err, this.path, 'read');
    }
    return text.split('\n').flatMap((line) => parseLine(line));
  }

  /** The newest n entries, oldest first. */
  async tail(n: number): Promise<LoginLogEntry[]> {
    return n > 0 ? (await this.readAll()).slice(-n) : [];
  }
}

async function endsWithNewline(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function parseLine(line: string): LoginLogEntry[] {
  if (!line.trim()) return [];
  try {
    const parsed = v.safeParse(LoginLogEntrySchema, JSON.parse(line));
    return parsed.success ? [parsed.output] : [];
  } catch {
    return [];
  }
}
