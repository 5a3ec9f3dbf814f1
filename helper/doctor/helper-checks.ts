/**
 * The checks of this computer's side: is the helper running (or what holds its port), where the
 * passwords are kept, does the config load, and when the extension last connected.
 */
import { createServer } from 'node:net';
import type { RuntimeStatus } from '../runtime-status';
import type { TokenInfo } from '../server/tokens';
import type { HelperConfig } from '../store/config';
import type { SecretStore } from '../store/secrets';
import { relativeTime, type CheckResult } from './check-result';
import { helperCommand } from '../command-name';

export type PortState = 'free' | 'in-use' | { error: string };
export type PortProbe = (port: number) => Promise<PortState>;

/** Listens on the port for a moment: the only sure way to know whether something else holds it. */
export const probeLoopbackPort: PortProbe = (port) =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' ? 'in-use' : { error: err.message }));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve('free')));
  });

export async function helperCheck(running: RuntimeStatus | undefined, port: number, probe: PortProbe): Promise<CheckResult> {
  const title = 'Helper';
  if (running) {
    return { ok: true, title, detail: `${running.version} running (pid ${running.pid}) on 127.0.0.1:${running.port}` };
  }
  const state = await probe(port);
  if (state === 'free') {
    return {
      ok: false,
      title,
      detail: `not running (port ${port} is free)`,
      fix: `start it with \`${helperCommand('start')}\`, or \`${helperCommand('service install')}\` to start it at each login`,
    };
  }
  if (state === 'in-use') {
    return {
      ok: false,
      title,
      detail: `not running, and 127.0.0.1:${port} is held by another program (or a helper with another MAIL_NOTIFIER_HOME)`,
      fix: `find it with \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` (Windows: \`netstat -ano | findstr ${port}\`) and stop it, or set another "port" in config.json and the same address in the extension settings`,
    };
  }
  return { ok: false, title, detail: `not running, and port ${port} could not be checked (${state.error})`, fix: `start it with \`${helperCommand('start')}\` and read what it says` };
}

/** The file store works: where no keychain answers it is a warning with its reason, never a failure. */
export function keychainCheck(secrets: SecretStore): CheckResult {
  if (secrets.kind === 'keychain') return { ok: true, title: 'Passwords', detail: 'kept in the OS keychain' };
  return {
    ok: true,
    warning: true,
    title: 'Passwords',
    detail: secrets.note ?? 'kept in a file readable by your user only',
    fix: 'they work as they are; for the keychain on Linux, run a Secret Service (GNOME Keyring, KWallet or KeePassXC) in your session, then enter the passwords again in the settings',
  };
}

export function configCheck(loaded: { config: HelperConfig } | { error: string }): CheckResult {
  const title = 'Settings';
  if ('error' in loaded) {
    return { ok: false, title, detail: loaded.error, fix: 'the helper cannot start until config.json loads: fix what the message names, or move the file away' };
  }
  const count = loaded.config.accounts.length;
  if (count === 0) {
    return { ok: false, title, detail: 'no account yet', fix: `add one in the extension's settings page, or with \`${helperCommand('account add')}\` while the helper is stopped` };
  }
  return { ok: true, title, detail: `config.json loaded, ${count} account${count === 1 ? '' : 's'}` };
}

export function extensionCheck(tokens: readonly TokenInfo[], running: RuntimeStatus | undefined, port: number, now: number): CheckResult {
  const title = 'Extension';
  const address = `127.0.0.1:${running?.port ?? port}`;
  if (tokens.length === 0) {
    return { ok: false, title, detail: 'no browser is paired', fix: `run \`${helperCommand('pair')}\` and enter the code and the address ${address} in the extension's settings page` };
  }
  const last = tokens.filter((t) => t.lastUsedAt !== undefined).sort((a, b) => b.lastUsedAt! - a.lastUsedAt!)[0];
  const lastWords = last ? `last connection ${relativeTime(last.lastUsedAt!, now)} (${last.label})` : 'never connected';
  if (running && running.clients > 0) {
    return { ok: true, title, detail: `${running.clients} browser${running.clients === 1 ? '' : 's'} connected now; ${lastWords}` };
  }
  return {
    ok: false,
    title,
    detail: `${tokens.length} paired, none connected now; ${lastWords}`,
    fix: running
      ? `open the browser with the extension; if it stays disconnected, check the helper address (${address}) in its settings and that it is still paired (\`${helperCommand('tokens')}\`)`
      : 'start the helper (see above): the extension reconnects by itself',
  };
}
