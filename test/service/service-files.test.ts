import { describe, expect, it } from 'vitest';
import { installService } from '../../helper/service/service-commands';
import { serviceSpec } from '../../helper/service/service-spec';
import { renderWindowsTask } from '../../helper/service/render-windows-task';
import { child, parseXml, plistValue } from './xml';
import { fakeSystem } from './fixtures';

/**
 * How systemd reads ExecStart=: %specifiers first (%% is a literal %), then words split on
 * blanks with "…" quoting and C escapes, then $VARIABLES ($$ is a literal $). A lone % or $
 * would be expanded by systemd, so it fails here.
 */
function systemdWords(value: string): string[] {
  const afterSpecifiers = value.replace(/%(.?)/g, (_, next: string) => {
    if (next !== '%') throw new Error(`unescaped specifier %${next}`);
    return '%';
  });
  const words: string[] = [];
  for (const [, quoted, bare] of afterSpecifiers.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    if (bare !== undefined) throw new Error(`unquoted word ${bare}`);
    words.push(quoted.replace(/\\(.)/g, '$1'));
  }
  return words.map((word) =>
    word.replace(/\$(.?)/g, (_, next: string) => {
      if (next !== '$') throw new Error(`unescaped variable $${next}`);
      return '$';
    }),
  );
}

function lines(text: string): string[] {
  return text.split('\n');
}

function section(text: string, name: string): string[] {
  const all = lines(text);
  const start = all.indexOf(`[${name}]`);
  const end = all.findIndex((line, i) => i > start && line.startsWith('['));
  return all.slice(start + 1, end < 0 ? undefined : end);
}

describe('systemd user unit', () => {
  it('quotes ExecStart so a path with spaces, % and $ reaches node unchanged, with the slow restart policy', async () => {
    const { env, files } = fakeSystem('linux', {
      launcher: { kind: 'node', nodePath: '/usr/local/bin/node', packageRoot: '/home/me/My $HOME 100% "mail"' },
      env: { MAIL_NOTIFIER_HOME: '/home/me/mail home %h' },
    });
    await installService(env);
    const unit = files.get('/home/me/.config/systemd/user/mail-notifier-helper.service')!.toString('utf8');
    const service = section(unit, 'Service');
    const exec = service.find((line) => line.startsWith('ExecStart='))!.slice('ExecStart='.length);
    expect(systemdWords(exec)).toEqual(['/usr/local/bin/node', '--jitless', '--no-expose-wasm', '--minor-gc-task-trigger=10', '/home/me/My $HOME 100% "mail"/helper/bin.mjs', 'start', '--no-demo', '--log-file', '/home/me/.local/state/mail-notifier/helper.err.log']);
    expect(service).toContain('Environment="MAIL_NOTIFIER_HOME=/home/me/mail home %%h"');
    expect(service).toContain('WorkingDirectory=/home/me/My $HOME 100%% "mail"');
    expect(service).toContain('Restart=on-failure');
    expect(service).toContain('RestartSec=60');
    expect(service).toContain('StandardOutput=append:/home/me/.local/state/mail-notifier/helper.log');
    expect(service).toContain('StandardError=append:/home/me/.local/state/mail-notifier/helper.log');
    // Start limits belong to [Unit]: in [Service] systemd ignores them.
    expect(section(unit, 'Unit')).toEqual(expect.arrayContaining(['StartLimitIntervalSec=3600', 'StartLimitBurst=5']));
    expect(section(unit, 'Install')).toContain('WantedBy=default.target');
  });

  it('sets no environment without MAIL_NOTIFIER_HOME, and follows XDG_CONFIG_HOME', async () => {
    const { env, files } = fakeSystem('linux', { env: { XDG_CONFIG_HOME: '/srv/conf' } });
    await installService(env);
    const unit = files.get('/srv/conf/systemd/user/mail-notifier-helper.service')!.toString('utf8');
    expect(unit).not.toContain('Environment=');
    expect(systemdWords(section(unit, 'Service').find((l) => l.startsWith('ExecStart='))!.slice(10))).toEqual([
      '/usr/local/bin/node',
      '--jitless',
      '--no-expose-wasm',
      '--minor-gc-task-trigger=10',
      '/home/me/mail notifier/helper/bin.mjs',
      'start',
      '--no-demo',
      '--log-file',
      '/home/me/.local/state/mail-notifier/helper.err.log',
    ]);
  });
});

describe('launchd agent', () => {
  it('is a well-formed plist with the program, environment, KeepAlive on failure only and a 60 s throttle', async () => {
    const { env, files } = fakeSystem('darwin', {
      launcher: { kind: 'node', nodePath: '/usr/local/bin/node', packageRoot: '/Users/me/Mail & <Notes>' },
      env: { MAIL_NOTIFIER_HOME: '/Users/me/mail home' },
    });
    await installService(env);
    const file = files.get('/Users/me/Library/LaunchAgents/local.mail-notifier-helper.plist')!.toString('utf8');
    expect(plistValue(parseXml(file))).toEqual({
      Label: 'local.mail-notifier-helper',
      ProgramArguments: ['/usr/local/bin/node', '--jitless', '--no-expose-wasm', '--minor-gc-task-trigger=10', '/Users/me/Mail & <Notes>/helper/bin.mjs', 'start', '--no-demo', '--log-file', '/home/me/.local/state/mail-notifier/helper.err.log'],
      EnvironmentVariables: { MAIL_NOTIFIER_HOME: '/Users/me/mail home' },
      WorkingDirectory: '/Users/me/Mail & <Notes>',
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 60,
      StandardOutPath: '/home/me/.local/state/mail-notifier/helper.log',
      StandardErrorPath: '/home/me/.local/state/mail-notifier/helper.log',
    });
  });
});

describe('Windows task', () => {
  it('is UTF-16 task XML: logon trigger for the user, restart on failure every minute 5 times, no time limit, node run through cmd', async () => {
    const { env, files } = fakeSystem('win32', { env: { MAIL_NOTIFIER_HOME: 'C:\\Users\\me\\Mail Home' } });
    await installService(env);
    const raw = files.get('C:\\Users\\me\\AppData\\Roaming\\mail-notifier\\Config\\mail-notifier-helper.task.xml')!;
    expect([...raw.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const task = parseXml(raw.subarray(2).toString('utf16le'));
    expect(task.name).toBe('Task');
    expect(child(task, 'Triggers', 'LogonTrigger', 'UserId').text).toBe('PC\\me');
    expect(child(task, 'Principals', 'Principal', 'UserId').text).toBe('PC\\me');
    expect(child(task, 'Principals', 'Principal', 'LogonType').text).toBe('InteractiveToken');
    expect(child(task, 'Settings', 'RestartOnFailure', 'Interval').text).toBe('PT1M');
    expect(child(task, 'Settings', 'RestartOnFailure', 'Count').text).toBe('5');
    expect(child(task, 'Settings', 'ExecutionTimeLimit').text).toBe('PT0S');
    expect(child(task, 'Settings', 'MultipleInstancesPolicy').text).toBe('IgnoreNew');
    expect(child(task, 'Actions', 'Exec', 'Command').text).toBe('cmd.exe');
    expect(child(task, 'Actions', 'Exec', 'Arguments').text).toBe(
      '/d /s /c "set "MAIL_NOTIFIER_HOME=C:\\Users\\me\\Mail Home" && ' +
        '"C:\\Program Files\\nodejs\\node.exe" "--jitless" "--no-expose-wasm" "--minor-gc-task-trigger=10" "C:\\Users\\me\\mail notifier\\helper\\bin.mjs" "start" "--no-demo" ' +
        '"--log-file" "C:\\Users\\me\\AppData\\Local\\mail-notifier\\Log\\helper.err.log" ' +
        '>> "C:\\Users\\me\\AppData\\Local\\mail-notifier\\Log\\helper.log" 2>&1"',
    );
    expect(child(task, 'Actions', 'Exec', 'WorkingDirectory').text).toBe('C:\\Users\\me\\mail notifier');
  });

  it('escapes the user name for XML and refuses a path cmd would expand', () => {
    const base = {
      platform: 'win32' as const,
      paths: { configDir: 'C:\\c', stateDir: 'C:\\s', logDir: 'C:\\l' },
      user: 'R&D\\me',
    };
    expect(child(parseXml(renderWindowsTask(serviceSpec({ ...base, launcher: { kind: 'node', nodePath: 'C:\\node\\node.exe', packageRoot: 'C:\\app' } }))), 'Triggers', 'LogonTrigger', 'UserId').text).toBe('R&D\\me');
    expect(() => renderWindowsTask(serviceSpec({ ...base, launcher: { kind: 'executable', path: 'C:\\100%PATH%\\helper.exe' } }))).toThrow(/contains %/);
  });
});

describe('service spec', () => {
  it('refuses relative paths and line breaks instead of writing a broken file', () => {
    const base = { platform: 'linux' as const, paths: { configDir: '/c', stateDir: '/s', logDir: '/l' }, user: 'me' };
    const node = (packageRoot: string) => ({ ...base, launcher: { kind: 'node' as const, nodePath: '/usr/bin/node', packageRoot } });
    expect(() => serviceSpec(node('relative/dir'))).toThrow(/absolute/);
    expect(() => serviceSpec(node('/home/me/x\nExecStartPre=/bin/evil'))).toThrow(/control character/);
    expect(() => serviceSpec({ ...base, launcher: { kind: 'executable', path: 'mail-notifier-helper' } })).toThrow(/absolute/);
  });

  it('runs the single executable itself, from its folder, with no node and no flags (it sets them itself)', async () => {
    const exe = (platform: 'linux' | 'darwin' | 'win32', path: string) =>
      serviceSpec({ platform, launcher: { kind: 'executable', path }, paths: { configDir: '/c', stateDir: '/s', logDir: '/l' }, user: 'me' });
    expect(exe('linux', '/home/me/bin/mail-notifier-helper-0.1.0-linux-x64')).toMatchObject({
      program: '/home/me/bin/mail-notifier-helper-0.1.0-linux-x64',
      args: ['start', '--no-demo', '--log-file', '/l/helper.err.log'],
      workingDir: '/home/me/bin',
    });
    expect(exe('win32', 'C:\\Users\\me\\Downloads\\helper.exe')).toMatchObject({ args: ['start', '--no-demo', '--log-file', '\\l\\helper.err.log'], workingDir: 'C:\\Users\\me\\Downloads' });
    const { env, files } = fakeSystem('linux', { launcher: { kind: 'executable', path: '/opt/mail notifier/helper' } });
    await installService(env);
    const unit = files.get('/home/me/.config/systemd/user/mail-notifier-helper.service')!.toString('utf8');
    expect(systemdWords(section(unit, 'Service').find((l) => l.startsWith('ExecStart='))!.slice(10))).toEqual(['/opt/mail notifier/helper', 'start', '--no-demo', '--log-file', '/home/me/.local/state/mail-notifier/helper.err.log']);
    expect(section(unit, 'Service')).toContain('WorkingDirectory=/opt/mail notifier');
  });
});
