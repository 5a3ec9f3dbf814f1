import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDirectorySync } from 'package-directory';

/**
 * The helper's package directory (the one holding its package.json), found by walking up from
 * this module. The helper runs both from its TypeScript sources and as one bundled file in
 * another folder, so a fixed relative path would be right for only one of them.
 */
export const PACKAGE_ROOT: string = (() => {
  const root = packageDirectorySync({ cwd: dirname(fileURLToPath(import.meta.url)) });
  if (!root) throw new Error('the helper cannot find its package.json; reinstall it');
  return root;
})();
