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
  /** Absolute path of node. */
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

export interface ServiceSpecInput {
  platform: ServicePlatform;
  /** Absolute path of the node binary that runs the helper now. */
  nodePath: string;
  /** The package root, the folder holding helper/bin.mjs. */
  packageRoot: string;
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
  const bin = path.join(input.packageRoot, 'helper', 'bin.mjs');
  const output = path.join(input.paths.logDir, 'helper.log');
  const helperLog = path.join(input.paths.logDir, 'helper.err.log');
  const spec: ServiceSpec = {
    name: SERVICE_NAME,
    description: 'Mail notifier helper: one IMAP IDLE connection per account for the browser extension',
    program: input.nodePath,
    // No demo mailbox at login: until an account is added the extension should say so, not show fake mail.
    // Node's flags for the helper: its memory settings (docs/ARCHITECTURE.md, "Running the helper").
    args: [...HELPER_NODE_FLAGS, bin, 'start', '--no-demo', '--log-file', helperLog],
    env: input.notifierHome ? { MAIL_NOTIFIER_HOME: input.notifierHome } : {},
    workingDir: input.packageRoot,
    restart: { ...RESTART_POLICY },
    logs: { stdout: output, stderr: output, helper: helperLog },
    user: input.user,
  };
  const paths = [spec.program, spec.workingDir, bin, ...Object.values(spec.env), ...Object.values(spec.logs)];
  for (const value of paths) {
    if (!path.isAbsolute(value)) throw new Error(`The service needs absolute paths, not ${JSON.stringify(value)}.`);
    // A line break would end the unit file's line or split the task's command: refuse, never mangle.
    if (/[\0-\x1f\x7f]/.test(value)) throw new Error(`A path used by the service contains a control character: ${JSON.stringify(value)}.`);
  }
  return spec;
}
