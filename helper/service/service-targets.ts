/**
 * Per system: where the service definition lives, how it is encoded, and which manager commands
 * register, start, stop, query and remove it. Everything here is data; service-commands runs it.
 */
import type { HelperPaths } from '../store/paths';
import type { CommandResult } from './command-runner';
import { renderLaunchdPlist, launchdLabel } from './render-launchd';
import { renderSystemdUnit } from './render-systemd';
import { renderWindowsTask } from './render-windows-task';
import { pathsFor, type ServicePlatform, type ServiceSpec } from './service-spec';

export interface ManagerCommand {
  program: string;
  args: string[];
  /** Expected to fail when there is nothing to act on (not loaded, not running): never fails the whole operation. */
  optional?: boolean;
}

export interface ServiceTarget {
  manager: string;
  file: string;
  contents: Buffer;
  /** Run after the file is written: register and start now. */
  install: ManagerCommand[];
  /** Run before the file is removed: stop and unregister. */
  uninstall: ManagerCommand[];
  /** Run after the file is removed. */
  afterRemove: ManagerCommand[];
  stop: ManagerCommand[];
  status: ManagerCommand[];
  /** What the user can do when a manager command did not work; '' when its output says it all. */
  hint(result: CommandResult): string;
}

export interface TargetContext {
  platform: ServicePlatform;
  homeDir: string;
  /** XDG_CONFIG_HOME moves the systemd user unit folder. */
  env: NodeJS.ProcessEnv;
  /** launchd's per-user domain is gui/<uid>. */
  uid: number;
  paths: HelperPaths;
}

const NO_USER_BUS = /failed to connect to bus|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR|no medium found/i;

function systemdTarget(spec: ServiceSpec, ctx: TargetContext): ServiceTarget {
  const unit = `${spec.name}.service`;
  const configHome = ctx.env.XDG_CONFIG_HOME?.startsWith('/') ? ctx.env.XDG_CONFIG_HOME : pathsFor('linux').join(ctx.homeDir, '.config');
  const systemctl = (...args: string[]): ManagerCommand => ({ program: 'systemctl', args: ['--user', ...args] });
  return {
    manager: 'systemd',
    file: pathsFor('linux').join(configHome, 'systemd', 'user', unit),
    contents: Buffer.from(renderSystemdUnit(spec), 'utf8'),
    install: [systemctl('daemon-reload'), systemctl('enable', '--now', unit)],
    uninstall: [systemctl('disable', '--now', unit)],
    afterRemove: [systemctl('daemon-reload')],
    stop: [systemctl('stop', unit)],
    status: [systemctl('status', '--no-pager', '--lines=0', unit)],
    hint(result) {
      if (result.kind === 'missing') return 'systemctl was not found: this system does not run systemd. Start the helper at login some other way (`helper start`).';
      if (result.kind === 'exited' && NO_USER_BUS.test(result.stderr)) {
        return 'systemctl --user cannot reach your user session (no user bus: a container, sudo, or SSH without a login session). Run the same command from your desktop session, or enable lingering with `loginctl enable-linger`.';
      }
      return '';
    },
  };
}

function launchdTarget(spec: ServiceSpec, ctx: TargetContext): ServiceTarget {
  const label = launchdLabel(spec);
  const file = pathsFor('darwin').join(ctx.homeDir, 'Library', 'LaunchAgents', `${label}.plist`);
  const domain = `gui/${ctx.uid}`;
  const launchctl = (args: string[], optional?: boolean): ManagerCommand => ({ program: 'launchctl', args, ...(optional ? { optional } : {}) });
  return {
    manager: 'launchd',
    file,
    contents: Buffer.from(renderLaunchdPlist(spec), 'utf8'),
    // bootstrap refuses a label that is still loaded: unload an older version first, if any.
    install: [launchctl(['bootout', `${domain}/${label}`], true), launchctl(['bootstrap', domain, file])],
    uninstall: [launchctl(['bootout', `${domain}/${label}`], true)],
    afterRemove: [],
    // The helper exits cleanly on SIGTERM, and KeepAlive restarts only after a failure.
    stop: [launchctl(['kill', 'SIGTERM', `${domain}/${label}`])],
    status: [launchctl(['print', `${domain}/${label}`])],
    hint(result) {
      return result.kind === 'missing' ? 'launchctl was not found: launchd agents exist on macOS only.' : '';
    },
  };
}

function windowsTarget(spec: ServiceSpec, ctx: TargetContext): ServiceTarget {
  const text = renderWindowsTask(spec);
  const schtasks = (args: string[], optional?: boolean): ManagerCommand => ({ program: 'schtasks', args, ...(optional ? { optional } : {}) });
  const file = pathsFor('win32').join(ctx.paths.configDir, `${spec.name}.task.xml`);
  return {
    manager: 'Task Scheduler',
    file,
    // What schtasks /XML reads without complaint: UTF-16 LE with a byte order mark, as the XML header says.
    contents: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    install: [schtasks(['/Create', '/TN', spec.name, '/XML', file, '/F']), schtasks(['/Run', '/TN', spec.name])],
    uninstall: [schtasks(['/End', '/TN', spec.name], true), schtasks(['/Delete', '/TN', spec.name, '/F'])],
    afterRemove: [],
    stop: [schtasks(['/End', '/TN', spec.name])],
    status: [schtasks(['/Query', '/TN', spec.name, '/FO', 'LIST'])],
    hint(result) {
      return result.kind === 'missing' ? 'schtasks was not found: Task Scheduler exists on Windows only.' : '';
    },
  };
}

export function serviceTarget(spec: ServiceSpec, ctx: TargetContext): ServiceTarget {
  switch (ctx.platform) {
    case 'linux':
      return systemdTarget(spec, ctx);
    case 'darwin':
      return launchdTarget(spec, ctx);
    case 'win32':
      return windowsTarget(spec, ctx);
  }
}
