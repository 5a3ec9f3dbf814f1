/**
 * Runs a service manager's command (systemctl, launchctl, schtasks) without a shell, so paths are
 * never re-parsed. A missing program is its own result: it means "wrong system", not "failed".
 */
import { execFile } from 'node:child_process';

export type CommandResult =
  | { kind: 'exited'; code: number; stdout: string; stderr: string }
  | { kind: 'missing' }
  | { kind: 'failed'; message: string };

export type CommandRunner = (program: string, args: readonly string[]) => Promise<CommandResult>;

const TIMEOUT_MS = 30_000;

export const runCommand: CommandRunner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, args, { timeout: TIMEOUT_MS, windowsHide: true, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ kind: 'exited', code: 0, stdout, stderr });
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT') return resolve({ kind: 'missing' });
      if (typeof code === 'number') return resolve({ kind: 'exited', code, stdout, stderr });
      resolve({ kind: 'failed', message: err.killed ? `no answer within ${TIMEOUT_MS / 1000} s` : err.message });
    });
  });
