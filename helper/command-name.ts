/**
 * How this user runs the helper's commands, so every hint the helper prints can be typed as it
 * is: the single executable by its own name, the installed package as `mail-notifier-helper`, a
 * source checkout as `npm run helper`.
 */
import { basename } from 'node:path';
import { isSea } from 'node:sea';

export function helperCommand(args: string): string {
  if (isSea()) return `${basename(process.execPath)} ${args}`;
  if (basename(process.argv[1] ?? '') === 'mail-notifier-helper') return `mail-notifier-helper ${args}`;
  return `npm run helper ${args}`;
}
