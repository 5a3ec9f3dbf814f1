/** The machine and versions a run was taken on, printed above its table. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
};
const packageVersion = (name: string) => (JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export function describeMachine(): string[] {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return [
    `machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `load average (1/5/15 min) at start: ${load}`,
    `versions: node ${process.versions.node}, ${run('/usr/bin/chromium', ['--version'])}, dovecot ${run('/usr/sbin/dovecot', ['--version'])}, imapflow ${packageVersion('imapflow')}, playwright-core ${packageVersion('playwright-core')}`,
    `code: ${run('git', ['rev-parse', '--short', 'HEAD'])}${run('git', ['status', '--porcelain', '--', 'helper', 'extension', 'entrypoints', 'components', 'protocol']) ? ' + uncommitted changes in the product' : ''}`,
  ];
}
