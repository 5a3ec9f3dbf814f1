/**
 * The one description of the login service, from which the systemd unit, the launchd agent and
 * the Windows task are rendered: what to run, where, with which environment, how to restart and
 * where its output goes. The restart policy is deliberately slow: a crash loop must never turn
 * into a login loop (the helper's persisted login budget is the real guard, this is the second).
 */
import { posix, win32 } from 'node:path';
import type { HelperPaths } from '../store/paths';
import HELPER_NODE_FLAGS from '../node-flags.json';

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export interface ServiceSpec {
  /** The systemd unit's and the Windows task's name; the launchd label is derived from it. */
  name: string;
  description: string;
  /** Absolute path of node, or of the helper's single executable. */
  program: string;
  args: string[];
  env: Record<string, string>;
  workingDir: string;
  /** Restart only after a failure, `delaySec` apart, at most `maxRestarts` per `windowSec`. */
  restart: { delaySec: number; windowSec: number; maxRestarts: number };
  /**
   * `helper` is the helper's own log, which it writes and rotates itself (`--log-file`), so it
   * stays bounded; stdout and stderr (the pairing code, Node's own words if it crashes) go to
   * `stdout`, which the service manager appends to.
   */
  logs: { stdout: string; stderr: string; helper: string };
  /** Whose login starts it (the Windows task names the user; the other two are per-user by place). */
  user: string;
}

export const SERVICE_NAME = 'mail-notifier-helper';
export const RESTART_POLICY = { delaySec: 60, windowSec: 3600, maxRestarts: 5 } as const;

/**
 * How the helper running now was started, so the service starts it the same way: node (its path)
 * with the helper's flags and the package's helper/bin.mjs, or the single executable that needs no
 * Node (scripts/build-sea.mjs), which sets those flags itself.
 */
export type HelperLauncher = { kind: 'node'; nodePath: string; packageRoot: string } | { kind: 'executable'; path: string };

export interface ServiceSpecInput {
  platform: ServicePlatform;
  launcher: HelperLauncher;
  paths: HelperPaths;
  /** MAIL_NOTIFIER_HOME, already absolute, when set: the service must use the same files. */
  notifierHome?: string;
  user: string;
}

export function pathsFor(platform: ServicePlatform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

export function serviceSpec(input: ServiceSpecInput): ServiceSpec {
  const path = pathsFor(input.platform);
  const { launcher } = input;
  // Node's flags for the helper: its memory settings (docs/ARCHITECTURE.md, "Running the helper").
  const [program, launch, workingDir] =
    launcher.kind === 'node'
      ? [launcher.nodePath, [...HELPER_NODE_FLAGS, path.join(launcher.packageRoot, 'helper', 'bin.mjs')], launcher.packageRoot]
      : [launcher.path, [], path.dirname(launcher.path)];
  const output = path.join(input.paths.logDir, 'helper.log');
  const helperLog = path.join(input.paths.logDir, 'helper.err.log');
  const spec: ServiceSpec = {
    name: SERVICE_NAME,
    description: 'Mail notifier helper: one IMAP IDLE connection per account for the browser extension',
    program,
    // No demo mailbox at login: until an account is added the extension should say so, not show fake mail.
    args: [...launch, 'start', '--no-demo', '--log-file', helperLog],
    env: input.notifierHome ? { MAIL_NOTIFIER_HOME: input.notifierHome } : {},
    workingDir,
    restart: { ...RESTART_POLICY },
    logs: { stdout: output, stderr: output, helper: helperLog },
    user: input.user,
  };
  const paths = [spec.program, spec.workingDir, ...launch.filter((arg) => !arg.startsWith('--')), ...Object.values(spec.env), ...Object.values(spec.logs)];
  for (const value of paths) {
    if (!path.isAbsolute(value)) throw new Error(`The service needs absolute paths, not ${JSON.stringify(value)}.`);
    // A line break would end the unit file's line or split the task's command: refuse, never mangle.
    if (/[\0-\x1f\x7f]/.test(value)) throw new Error(`A path used by the service contains a control character: ${JSON.stringify(value)}.`);
  }
  return spec;
}
