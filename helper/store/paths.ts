/**
 * Where the helper keeps its files. MAIL_NOTIFIER_HOME moves all of them under one folder, which
 * is what tests and the demo use so they never touch the user's real settings.
 */
import envPaths from 'env-paths';
import { join, resolve } from 'node:path';

export interface HelperPaths {
  /** config.json and, without a keychain, secrets.json. */
  configDir: string;
  /** Login policy state and login logs: losing them would reset the login budget. */
  stateDir: string;
  logDir: string;
}

/** `env` is consulted for MAIL_NOTIFIER_HOME; the XDG variables are read by env-paths itself. */
export function helperPaths(env: NodeJS.ProcessEnv = process.env): HelperPaths {
  const home = env.MAIL_NOTIFIER_HOME;
  if (home) {
    const root = resolve(home);
    return { configDir: join(root, 'config'), stateDir: join(root, 'state'), logDir: join(root, 'log') };
  }
  const paths = envPaths('mail-notifier', { suffix: '' });
  return { configDir: paths.config, stateDir: paths.data, logDir: paths.log };
}

/**
 * Where the single executable (helper/sea) unpacks the files it carries: a cache, since it can
 * always unpack them again. Under MAIL_NOTIFIER_HOME with everything else when that is set.
 */
export function unpackRoot(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.MAIL_NOTIFIER_HOME;
  return home ? join(resolve(home), 'runtime') : join(envPaths('mail-notifier', { suffix: '' }).cache, 'runtime');
}
