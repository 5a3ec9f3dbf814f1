/**
 * A home for the real helper process (test/e2e/helper-process.ts runs it): MAIL_NOTIFIER_HOME in a
 * temp dir with one plain-IMAP account configured and its password in the file secret store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, saveConfig } from '../../helper/store/config';
import { helperPaths, type HelperPaths } from '../../helper/store/paths';
import { openSecretStore } from '../../helper/store/secrets';
import { freePort } from '../e2e/helper-process';
import { ACCOUNT_ID } from './driven-session';

export interface HelperHome {
  home: string;
  paths: HelperPaths;
  /** A free loopback port for the helper's WebSocket. */
  port: number;
  remove(): Promise<void>;
}

export async function helperHome(account: { host: string; port: number; user: string; pass: string }): Promise<HelperHome> {
  const home = await mkdtemp(join(tmpdir(), 'mn-chaos-home-'));
  const paths = helperPaths({ MAIL_NOTIFIER_HOME: home });
  await saveConfig(paths.configDir, addAccount({ version: 1, accounts: [] }, {
    id: ACCOUNT_ID, label: 'chaos', kind: 'imap', host: account.host, port: account.port, tls: false, username: account.user,
  }));
  await (await openSecretStore({ configDir: paths.configDir, prefer: 'file' })).set(ACCOUNT_ID, account.pass);
  return { home, paths, port: await freePort(), remove: () => rm(home, { recursive: true, force: true }) };
}
