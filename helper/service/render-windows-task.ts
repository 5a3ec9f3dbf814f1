/**
 * The Task Scheduler task (schtasks /Create /XML). A task can neither set environment variables
 * nor redirect output, so the action is `cmd.exe /d /s /c "…"`, which does both: with /s cmd strips
 * only the outer quotes and runs the rest as written. cmd expands %VAR% even inside quotes and a
 * path cannot hold `"`, so values with either are refused rather than mangled.
 */
import type { ServiceSpec } from './service-spec';
import { escapeXml } from './xml-text';

function cmdQuoted(value: string): string {
  if (/[%"]/.test(value)) throw new Error(`The Windows task cannot use ${JSON.stringify(value)}: it contains % or ".`);
  return `"${value}"`;
}

/** Task Scheduler durations are ISO 8601; its restart interval is at least one minute. */
function isoDuration(seconds: number): string {
  return seconds % 60 === 0 ? `PT${seconds / 60}M` : `PT${seconds}S`;
}

function windowsTaskArguments(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).map(([name, value]) => `set ${cmdQuoted(`${name}=${value}`)} && `);
  const run = [spec.program, ...spec.args].map(cmdQuoted).join(' ');
  // One file for both is `2>&1`: two appends would open it twice.
  const errors = spec.logs.stderr === spec.logs.stdout ? '2>&1' : `2>> ${cmdQuoted(spec.logs.stderr)}`;
  return `/d /s /c "${env.join('')}${run} >> ${cmdQuoted(spec.logs.stdout)} ${errors}"`;
}

export function renderWindowsTask(spec: ServiceSpec): string {
  const user = escapeXml(spec.user);
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${escapeXml(spec.description)}</Description>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <LogonTrigger>',
    '      <Enabled>true</Enabled>',
    `      <UserId>${user}</UserId>`,
    '    </LogonTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    `      <UserId>${user}</UserId>`,
    // Runs in the user's session: the Credential Manager (the keychain) needs the user's logon.
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    // The default limit (72 hours) would stop a helper that is meant to run all the time.
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <RestartOnFailure>',
    `      <Interval>${isoDuration(spec.restart.delaySec)}</Interval>`,
    `      <Count>${spec.restart.maxRestarts}</Count>`,
    '    </RestartOnFailure>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    '      <Command>cmd.exe</Command>',
    `      <Arguments>${escapeXml(windowsTaskArguments(spec))}</Arguments>`,
    `      <WorkingDirectory>${escapeXml(spec.workingDir)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}
