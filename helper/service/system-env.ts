/** The real system for the service commands: this process's platform, user, files and how it was started. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { isSea } from 'node:sea';
import { PACKAGE_ROOT } from '../package-root';
import { readRuntimeStatus } from '../runtime-status';
import type { HelperPaths } from '../store/paths';
import { runCommand } from './command-runner';
import type { ServiceEnv, ServiceFs } from './service-commands';

const nodeFs: ServiceFs = {
  async read(path) {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  async write(path, data) {
    await mkdir(dirname(path), { recursive: true });
    // Readable by the service manager; launchd refuses a plist others can write.
    await writeFile(path, data, { mode: 0o644 });
  },
  async mkdir(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  },
  async remove(path) {
    await rm(path, { force: true });
  },
};

export function systemServiceEnv(paths: HelperPaths): ServiceEnv {
  const { username, uid } = userInfo();
  return {
    platform: process.platform,
    homeDir: homedir(),
    env: process.env,
    uid,
    user: process.env.USERDOMAIN ? `${process.env.USERDOMAIN}\\${username}` : username,
    // In the single executable, execPath is the executable itself (and PACKAGE_ROOT the folder it unpacked into).
    launcher: isSea() ? { kind: 'executable', path: process.execPath } : { kind: 'node', nodePath: process.execPath, packageRoot: PACKAGE_ROOT },
    paths,
    run: runCommand,
    fs: nodeFs,
    runningHelper: () => readRuntimeStatus(paths.stateDir),
  };
}
