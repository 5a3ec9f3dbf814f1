/**
 * `helper service install | uninstall | stop | status`: writes or removes the service definition
 * and runs the system's manager commands, reporting each step. The system, the files and the
 * command runner are injected, so tests exercise all three systems without running anything.
 */
import type { HelperPaths } from '../store/paths';
import type { CommandResult, CommandRunner } from './command-runner';
import { serviceTarget, type ManagerCommand, type ServiceTarget } from './service-targets';
import { pathsFor, serviceSpec, type HelperLauncher, type ServicePlatform, type ServiceSpec } from './service-spec';

export interface ServiceFs {
  /** undefined when the file does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  /** Creates the missing folders. */
  write(path: string, data: Buffer): Promise<void>;
  mkdir(dir: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export interface ServiceEnv {
  platform: NodeJS.Platform;
  homeDir: string;
  env: NodeJS.ProcessEnv;
  uid: number;
  /** The login user, as the Windows task names it (DOMAIN\user). */
  user: string;
  launcher: HelperLauncher;
  paths: HelperPaths;
  run: CommandRunner;
  fs: ServiceFs;
  /** The helper running now, per its runtime status file. */
  runningHelper(): Promise<{ pid: number } | undefined>;
}

export interface ServiceReport {
  ok: boolean;
  lines: string[];
}

function isServicePlatform(platform: NodeJS.Platform): platform is ServicePlatform {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32';
}

function resolveService(env: ServiceEnv): { spec: ServiceSpec; target: ServiceTarget } | ServiceReport {
  const { platform } = env;
  if (!isServicePlatform(platform)) {
    return { ok: false, lines: [`helper service works with systemd (Linux), launchd (macOS) and Task Scheduler (Windows), not on ${platform}.`] };
  }
  const home = env.env.MAIL_NOTIFIER_HOME;
  const spec = serviceSpec({
    platform,
    launcher: env.launcher,
    paths: env.paths,
    user: env.user,
    ...(home ? { notifierHome: pathsFor(platform).resolve(home) } : {}),
  });
  return { spec, target: serviceTarget(spec, { platform, homeDir: env.homeDir, env: env.env, uid: env.uid, paths: env.paths }) };
}

function commandLine(command: ManagerCommand): string {
  return [command.program, ...command.args].map((word) => (/[\s"]/.test(word) ? JSON.stringify(word) : word)).join(' ');
}

function outputOf(result: CommandResult & { kind: 'exited' }, maxLines: number): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(0, maxLines);
}

function failureLines(target: ServiceTarget, command: ManagerCommand, result: CommandResult): string[] {
  const what =
    result.kind === 'missing'
      ? `${command.program} is not available on this system`
      : result.kind === 'failed'
        ? result.message
        : `failed (exit ${result.code}): ${outputOf(result, 3).join(' / ')}`;
  const hint = target.hint(result);
  return [`✗ ${commandLine(command)}: ${what}`, ...(hint ? [`  → ${hint}`] : [])];
}

/** Runs the commands in order; stops at the first failure that is not optional. */
async function runAll(env: ServiceEnv, target: ServiceTarget, commands: ManagerCommand[], lines: string[]): Promise<boolean> {
  for (const command of commands) {
    const shown = commandLine(command);
    const result = await env.run(command.program, command.args);
    if (result.kind === 'exited' && result.code === 0) {
      lines.push(`✓ ${shown}`);
      continue;
    }
    if (result.kind === 'exited' && command.optional) {
      lines.push(`· ${shown}: nothing to do (${outputOf(result, 1)[0] ?? `exit ${result.code}`})`);
      continue;
    }
    lines.push(...failureLines(target, command, result));
    return false;
  }
  return true;
}

export async function installService(env: ServiceEnv): Promise<ServiceReport> {
  const resolved = resolveService(env);
  if (!('spec' in resolved)) return resolved;
  const { spec, target } = resolved;
  const running = await env.runningHelper();
  if (running) {
    return {
      ok: false,
      lines: [
        `The helper is running now (pid ${running.pid}). Stop it first (Ctrl-C where it runs, or \`helper service stop\`), then install: two helpers would log in to each account twice.`,
      ],
    };
  }
  await env.fs.mkdir(env.paths.logDir);
  await env.fs.write(target.file, target.contents);
  const lines = [`wrote ${target.file} (${target.manager})`];
  if (!(await runAll(env, target, target.install, lines))) {
    lines.push(`The file is in place; once that is fixed, run: ${target.install.map(commandLine).join(' && ')}`);
    return { ok: false, lines };
  }
  lines.push(`The helper starts at each login and runs now. Its log: ${spec.logs.helper} (rotated at 1 MiB); what it prints: ${spec.logs.stdout}. \`helper service status\` shows its state.`);
  return { ok: true, lines };
}

export async function uninstallService(env: ServiceEnv): Promise<ServiceReport> {
  const resolved = resolveService(env);
  if (!('spec' in resolved)) return resolved;
  const { target } = resolved;
  if (!(await env.fs.read(target.file))) return { ok: true, lines: [`not installed (${target.file} does not exist)`] };
  const lines: string[] = [];
  const unregistered = await runAll(env, target, target.uninstall, lines);
  // Removed even if the manager could not be reached: without the file it cannot start at the next login.
  await env.fs.remove(target.file);
  lines.push(`removed ${target.file}`);
  // A manager that could not unregister cannot reload either: one report of the problem is enough.
  const reloaded = unregistered && (await runAll(env, target, target.afterRemove, lines));
  return { ok: reloaded, lines };
}

export async function stopService(env: ServiceEnv): Promise<ServiceReport> {
  const resolved = resolveService(env);
  if (!('spec' in resolved)) return resolved;
  const { target } = resolved;
  if (!(await env.fs.read(target.file))) return { ok: false, lines: [`not installed (${target.file} does not exist): stop a helper started by hand with Ctrl-C`] };
  const lines: string[] = [];
  const ok = await runAll(env, target, target.stop, lines);
  if (ok) lines.push('Stopped until the next login (or `helper service install`).');
  return { ok, lines };
}

export async function serviceStatus(env: ServiceEnv): Promise<ServiceReport> {
  const resolved = resolveService(env);
  if (!('spec' in resolved)) return resolved;
  const { target } = resolved;
  const lines: string[] = [];
  const onDisk = await env.fs.read(target.file);
  const current = onDisk?.equals(target.contents) ?? false;
  if (!onDisk) lines.push(`✗ not installed: ${target.file} does not exist (\`helper service install\` creates it)`);
  else if (!current) lines.push(`✗ ${target.file} differs from what this helper would write (node or the helper moved?): run \`helper service install\` again`);
  else lines.push(`✓ ${target.file} is installed and current`);
  let reachable = true;
  for (const command of target.status) {
    const result = await env.run(command.program, command.args);
    // The query's exit code says "not running" as often as "failed": its words are the answer.
    if (result.kind === 'exited' && !target.hint(result)) {
      lines.push(`${target.manager} says (${commandLine(command)}):`, ...outputOf(result, 15).map((line) => `    ${line}`));
    } else {
      reachable = false;
      lines.push(...failureLines(target, command, result));
    }
  }
  const running = await env.runningHelper();
  lines.push(running ? `helper running now (pid ${running.pid})` : 'helper not running now');
  return { ok: current && reachable, lines };
}
