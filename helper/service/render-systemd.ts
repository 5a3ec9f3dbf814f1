/**
 * The systemd user unit. systemd expands %specifiers in every value used here and $VARIABLES in
 * ExecStart, and splits ExecStart on spaces unless quoted: each value is escaped for exactly the
 * expansions its setting performs.
 */
import type { ServiceSpec } from './service-spec';

/** A double-quoted word for ExecStart= or Environment= (C-style escapes inside the quotes). */
function quoted(value: string, options: { expandsVariables: boolean }): string {
  let escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  if (options.expandsVariables) escaped = escaped.replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

/** A path taken as the rest of the line: only %specifiers apply. */
function plainPath(value: string): string {
  return value.replace(/%/g, '%%');
}

export function renderSystemdUnit(spec: ServiceSpec): string {
  const exec = [spec.program, ...spec.args].map((word) => quoted(word, { expandsVariables: true })).join(' ');
  const env = Object.entries(spec.env).map(([key, value]) => `Environment=${quoted(`${key}=${value}`, { expandsVariables: false })}`);
  return [
    '# Written by `helper service install`; `helper service uninstall` removes it.',
    '[Unit]',
    `Description=${spec.description}`,
    '# Restarts are rate-limited: a crash loop must not become a login loop.',
    `StartLimitIntervalSec=${spec.restart.windowSec}`,
    `StartLimitBurst=${spec.restart.maxRestarts}`,
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    `WorkingDirectory=${plainPath(spec.workingDir)}`,
    ...env,
    'Restart=on-failure',
    `RestartSec=${spec.restart.delaySec}`,
    `StandardOutput=append:${plainPath(spec.logs.stdout)}`,
    `StandardError=append:${plainPath(spec.logs.stderr)}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
