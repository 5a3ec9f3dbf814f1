/**
 * The launchd agent (a property list). KeepAlive restarts the helper only when it exits with an
 * error, and ThrottleInterval keeps those restarts a minute apart; launchd has no per-hour cap,
 * so the helper's persisted login budget is what bounds the logins.
 */
import type { ServiceSpec } from './service-spec';
import { escapeXml } from './xml-text';

export function launchdLabel(spec: ServiceSpec): string {
  return `local.${spec.name}`;
}

const string = (value: string) => `<string>${escapeXml(value)}</string>`;
const key = (name: string) => `<key>${escapeXml(name)}</key>`;

export function renderLaunchdPlist(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).flatMap(([name, value]) => [`    ${key(name)}`, `    ${string(value)}`]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `helper service install`; `helper service uninstall` removes it. -->',
    '<plist version="1.0">',
    '<dict>',
    `  ${key('Label')}`,
    `  ${string(launchdLabel(spec))}`,
    `  ${key('ProgramArguments')}`,
    '  <array>',
    ...[spec.program, ...spec.args].map((word) => `    ${string(word)}`),
    '  </array>',
    ...(env.length > 0 ? [`  ${key('EnvironmentVariables')}`, '  <dict>', ...env, '  </dict>'] : []),
    `  ${key('WorkingDirectory')}`,
    `  ${string(spec.workingDir)}`,
    `  ${key('RunAtLoad')}`,
    '  <true/>',
    `  ${key('KeepAlive')}`,
    '  <dict>',
    `    ${key('SuccessfulExit')}`,
    '    <false/>',
    '  </dict>',
    `  ${key('ThrottleInterval')}`,
    `  <integer>${spec.restart.delaySec}</integer>`,
    `  ${key('StandardOutPath')}`,
    `  ${string(spec.logs.stdout)}`,
    `  ${key('StandardErrorPath')}`,
    `  ${string(spec.logs.stderr)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
