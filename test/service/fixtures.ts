/** A service environment with a fake file system and a scripted command runner: nothing runs. */
import type { CommandResult } from '../../helper/service/command-runner';
import type { ServiceEnv } from '../../helper/service/service-commands';
import type { HelperPaths } from '../../helper/store/paths';

export interface FakeSystem {
  env: ServiceEnv;
  files: Map<string, Buffer>;
  dirs: string[];
  calls: string[];
}

/** `answers` maps "program arg arg" to a result; anything else exits 0 with no output. */
export function fakeSystem(
  platform: NodeJS.Platform,
  overrides: Partial<ServiceEnv> = {},
  answers: Record<string, CommandResult> = {},
): FakeSystem {
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  const calls: string[] = [];
  const windows = platform === 'win32';
  const paths: HelperPaths = windows
    ? { configDir: 'C:\\Users\\me\\AppData\\Roaming\\mail-notifier\\Config', stateDir: 'C:\\Users\\me\\AppData\\Local\\mail-notifier\\Data', logDir: 'C:\\Users\\me\\AppData\\Local\\mail-notifier\\Log' }
    : { configDir: '/home/me/.config/mail-notifier', stateDir: '/home/me/.local/share/mail-notifier', logDir: '/home/me/.local/state/mail-notifier' };
  const env: ServiceEnv = {
    platform,
    homeDir: windows ? 'C:\\Users\\me' : platform === 'darwin' ? '/Users/me' : '/home/me',
    env: {},
    uid: 501,
    user: windows ? 'PC\\me' : 'me',
    launcher: windows
      ? { kind: 'node', nodePath: 'C:\\Program Files\\nodejs\\node.exe', packageRoot: 'C:\\Users\\me\\mail notifier' }
      : { kind: 'node', nodePath: '/usr/local/bin/node', packageRoot: '/home/me/mail notifier' },
    paths,
    run: async (program, args) => {
      const line = [program, ...args].join(' ');
      calls.push(line);
      return answers[line] ?? { kind: 'exited', code: 0, stdout: '', stderr: '' };
    },
    fs: {
      read: async (path) => files.get(path),
      write: async (path, data) => void files.set(path, data),
      mkdir: async (dir) => void dirs.push(dir),
      remove: async (path) => void files.delete(path),
    },
    runningHelper: async () => undefined,
    ...overrides,
  };
  return { env, files, dirs, calls };
}
