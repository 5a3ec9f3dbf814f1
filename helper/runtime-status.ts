/**
 * What the running helper tells other processes (the `status` command, the service manager's
 * user) without a socket: a small JSON file in the state dir, rewritten when an account changes.
 * It holds states and counts, never mail content or secrets.
 */
import { join } from 'node:path';
import type { AccountStatus } from '../protocol';
import { readJson, writeJsonAtomic } from './store/atomic-file';

export interface RuntimeStatus {
  pid: number;
  port: number;
  version: string;
  startedAt: number;
  updatedAt: number;
  clients: number;
  accounts: AccountStatus[];
}

export function runtimeStatusPath(stateDir: string): string {
  return join(stateDir, 'status.json');
}

export async function readRuntimeStatus(stateDir: string): Promise<RuntimeStatus | undefined> {
  const status = (await readJson(runtimeStatusPath(stateDir))) as RuntimeStatus | undefined;
  return status && isRunning(status.pid) ? status : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Coalesces bursts of changes into one write every `delayMs`. */
export class RuntimeStatusWriter {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly collect: () => RuntimeStatus,
    private readonly delayMs = 500,
  ) {}

  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    await writeJsonAtomic(runtimeStatusPath(this.stateDir), this.collect(), { mode: 0o600 }).catch(() => undefined);
  }
}
