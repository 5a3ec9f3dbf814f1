import { describe, expect, it } from 'vitest';
import { installService, serviceStatus, stopService, uninstallService } from '../../helper/service/service-commands';
import { runCommand } from '../../helper/service/command-runner';
import { fakeSystem } from './fixtures';

const UNIT = '/home/me/.config/systemd/user/mail-notifier-helper.service';
const PLIST = '/Users/me/Library/LaunchAgents/local.mail-notifier-helper.plist';
const TASK_XML = 'C:\\Users\\me\\AppData\\Roaming\\mail-notifier\\Config\\mail-notifier-helper.task.xml';
const noBus = { kind: 'exited', code: 1, stdout: '', stderr: 'Failed to connect to bus: No medium found\n' } as const;

describe('service install', () => {
  it('systemd: writes the unit and the log folder, then reloads and enables it now', async () => {
    const { env, files, dirs, calls } = fakeSystem('linux');
    const report = await installService(env);
    expect(report.ok).toBe(true);
    expect(files.has(UNIT)).toBe(true);
    expect(dirs).toEqual(['/home/me/.local/state/mail-notifier']);
    expect(calls).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now mail-notifier-helper.service']);
    expect(report.lines[0]).toBe(`wrote ${UNIT} (systemd)`);
  });

  it('systemd without a user bus: stops at the failing command, keeps the file and says what to do', async () => {
    const { env, files, calls } = fakeSystem('linux', {}, { 'systemctl --user daemon-reload': noBus });
    const report = await installService(env);
    expect(report.ok).toBe(false);
    expect(files.has(UNIT)).toBe(true);
    expect(calls).toEqual(['systemctl --user daemon-reload']);
    expect(report.lines).toContain('✗ systemctl --user daemon-reload: failed (exit 1): Failed to connect to bus: No medium found');
    expect(report.lines.join('\n')).toMatch(/cannot reach your user session/);
    expect(report.lines.at(-1)).toBe(
      'The file is in place; once that is fixed, run: systemctl --user daemon-reload && systemctl --user enable --now mail-notifier-helper.service',
    );
  });

  it('refuses while a helper runs, touching nothing: two helpers would log in twice', async () => {
    const { env, files, calls } = fakeSystem('linux', { runningHelper: async () => ({ pid: 4242 }) });
    const report = await installService(env);
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toMatch(/running now \(pid 4242\)/);
    expect(files.size).toBe(0);
    expect(calls).toEqual([]);
  });

  it('launchd: unloads an older copy if any (not loaded is fine), then bootstraps into gui/<uid>', async () => {
    const notLoaded = { kind: 'exited', code: 113, stdout: '', stderr: 'Could not find service "local.mail-notifier-helper" in domain for port\n' } as const;
    const { env, files, calls } = fakeSystem('darwin', {}, { 'launchctl bootout gui/501/local.mail-notifier-helper': notLoaded });
    const report = await installService(env);
    expect(report.ok).toBe(true);
    expect(files.has(PLIST)).toBe(true);
    expect(calls).toEqual(['launchctl bootout gui/501/local.mail-notifier-helper', `launchctl bootstrap gui/501 ${PLIST}`]);
    expect(report.lines[1]).toMatch(/^· launchctl bootout .*: nothing to do \(Could not find service/);
  });

  it('launchd where there is no launchctl: a clear message, not a stack trace', async () => {
    const { env } = fakeSystem('darwin', { run: async () => ({ kind: 'missing' }) });
    const report = await installService(env);
    expect(report.ok).toBe(false);
    expect(report.lines).toContain('✗ launchctl bootout gui/501/local.mail-notifier-helper: launchctl is not available on this system');
    expect(report.lines).toContain('  → launchctl was not found: launchd agents exist on macOS only.');
  });

  it('Task Scheduler: creates the task from the XML (replacing an older one) and runs it', async () => {
    const { env, files, calls } = fakeSystem('win32');
    const report = await installService(env);
    expect(report.ok).toBe(true);
    expect(files.has(TASK_XML)).toBe(true);
    expect(calls).toEqual([`schtasks /Create /TN mail-notifier-helper /XML ${TASK_XML} /F`, 'schtasks /Run /TN mail-notifier-helper']);
  });

  it('says which systems it supports on any other', async () => {
    const { env, calls } = fakeSystem('freebsd');
    const report = await installService(env);
    expect(report).toEqual({ ok: false, lines: ['helper service works with systemd (Linux), launchd (macOS) and Task Scheduler (Windows), not on freebsd.'] });
    expect(calls).toEqual([]);
  });
});

describe('service uninstall and stop', () => {
  it('systemd: disables and stops, removes the unit, reloads', async () => {
    const system = fakeSystem('linux');
    await installService(system.env);
    system.calls.length = 0;
    const report = await uninstallService(system.env);
    expect(report.ok).toBe(true);
    expect(system.files.has(UNIT)).toBe(false);
    expect(system.calls).toEqual(['systemctl --user disable --now mail-notifier-helper.service', 'systemctl --user daemon-reload']);
  });

  it('removes the file even when the manager cannot be reached, and reports the failure', async () => {
    const system = fakeSystem('linux', {}, { 'systemctl --user disable --now mail-notifier-helper.service': noBus });
    await installService(system.env);
    const report = await uninstallService(system.env);
    expect(report.ok).toBe(false);
    expect(system.files.has(UNIT)).toBe(false);
    expect(report.lines).toContain(`removed ${UNIT}`);
  });

  it('Task Scheduler: ends the task if it runs, then deletes it', async () => {
    const notRunning = { kind: 'exited', code: 1, stdout: '', stderr: 'ERROR: The task is not running.' } as const;
    const system = fakeSystem('win32', {}, { 'schtasks /End /TN mail-notifier-helper': notRunning });
    await installService(system.env);
    system.calls.length = 0;
    expect((await uninstallService(system.env)).ok).toBe(true);
    expect(system.calls).toEqual(['schtasks /End /TN mail-notifier-helper', 'schtasks /Delete /TN mail-notifier-helper /F']);
    expect(system.files.size).toBe(0);
  });

  it('does nothing when not installed', async () => {
    const { env, calls } = fakeSystem('linux');
    expect(await uninstallService(env)).toEqual({ ok: true, lines: [`not installed (${UNIT} does not exist)`] });
    expect(await stopService(env)).toMatchObject({ ok: false });
    expect(calls).toEqual([]);
  });

  it('launchd stop sends SIGTERM, which the helper answers with a clean exit (no KeepAlive restart)', async () => {
    const system = fakeSystem('darwin');
    await installService(system.env);
    system.calls.length = 0;
    expect((await stopService(system.env)).ok).toBe(true);
    expect(system.calls).toEqual(['launchctl kill SIGTERM gui/501/local.mail-notifier-helper']);
  });
});

describe('service status', () => {
  it('reports the file as current and passes on what the manager says, whatever its exit code', async () => {
    const inactive = { kind: 'exited', code: 3, stdout: '○ mail-notifier-helper.service - Mail notifier helper\n     Active: inactive (dead)\n', stderr: '' } as const;
    const system = fakeSystem('linux', {}, { 'systemctl --user status --no-pager --lines=0 mail-notifier-helper.service': inactive });
    await installService(system.env);
    const report = await serviceStatus(system.env);
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual([
      `✓ ${UNIT} is installed and current`,
      'systemd says (systemctl --user status --no-pager --lines=0 mail-notifier-helper.service):',
      '    ○ mail-notifier-helper.service - Mail notifier helper',
      '         Active: inactive (dead)',
      'helper not running now',
    ]);
  });

  it('notices a file that no longer matches (node or the helper moved)', async () => {
    const system = fakeSystem('linux');
    await installService(system.env);
    system.files.set(UNIT, Buffer.from('[Service]\nExecStart=/old/node /old/helper/bin.mjs start\n'));
    const report = await serviceStatus(system.env);
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toMatch(/differs from what this helper would write/);
  });

  it('says when it is not installed and when the manager cannot be reached', async () => {
    const { env } = fakeSystem('linux', { runningHelper: async () => ({ pid: 77 }) }, { 'systemctl --user status --no-pager --lines=0 mail-notifier-helper.service': noBus });
    const report = await serviceStatus(env);
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toMatch(/^✗ not installed: .* does not exist/);
    expect(report.lines[1]).toMatch(/^✗ systemctl --user status .*Failed to connect to bus/);
    expect(report.lines[2]).toMatch(/cannot reach your user session/);
    expect(report.lines.at(-1)).toBe('helper running now (pid 77)');
  });
});

describe('command runner', () => {
  it('tells a missing program from one that ran and failed', async () => {
    expect(await runCommand('mail-notifier-no-such-program', [])).toEqual({ kind: 'missing' });
    expect(await runCommand(process.execPath, ['-e', 'process.stderr.write("nope"); process.exit(3)'])).toEqual({
      kind: 'exited',
      code: 3,
      stdout: '',
      stderr: 'nope',
    });
  });
});
