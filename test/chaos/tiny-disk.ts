/**
 * A 64 KiB tmpfs mounted for one scenario, to be filled (ENOSPC) or remounted read-only (EROFS):
 * real file-system failures for the helper's state files. Needs root and mount(8), which the
 * Dovecot harness already needs; `tinyDiskAvailable()` says whether this machine allows it.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SIZE_KB = 64;
const CHUNK = Buffer.alloc(4096, 0x2e);

export interface TinyDisk {
  dir: string;
  /** Writes a filler file until the disk says ENOSPC; synchronous, so it can strike between two steps of a login. */
  fill(): void;
  /** Deletes the filler. */
  free(): Promise<void>;
  readOnly(on: boolean): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountTinyDisk(): Promise<TinyDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'mn-chaos-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_KB}k,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        for (let i = 0; i < (SIZE_KB * 1024) / CHUNK.length + 1; i++) writeSync(fd, CHUNK);
        throw new Error(`${dir} did not fill up`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    free: () => rm(filler, { force: true }),
    async readOnly(on) {
      await run('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir]);
    },
    async unmount() {
      await run('umount', [dir]);
      await rmdir(dir);
    },
  };
}

export async function tinyDiskAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await (await mountTinyDisk()).unmount();
    return true;
  } catch {
    return false;
  }
}
