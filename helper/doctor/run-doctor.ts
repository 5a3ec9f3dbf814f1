/**
 * `helper doctor`: runs every check and returns the results in reading order. Read-only: it never
 * writes the helper's files, never logs in, and sends nothing to a mail server.
 */
import { DEFAULT_HELPER_PORT } from '../../protocol';
import { stateFromLog } from '../policy/policy-core';
import type { PolicyState } from '../policy/types';
import { readRuntimeStatus, type RuntimeStatus } from '../runtime-status';
import { tokensFile } from '../run-helper';
import { TokenStore } from '../server/tokens';
import { StorageError } from '../store/atomic-file';
import { loadConfig, type AccountConfig, type HelperConfig } from '../store/config';
import type { HelperPaths } from '../store/paths';
import { FilePolicyStore } from '../store/policy-store';
import { openSecretStore, type SecretStore } from '../store/secrets';
import { loginCheck, reachCheck } from './account-checks';
import type { CheckResult } from './check-result';
import { configCheck, extensionCheck, helperCheck, keychainCheck, probeLoopbackPort, type PortProbe } from './helper-checks';
import { probeImap, type ImapProbeResult, type ImapTarget } from './imap-probe';

export interface DoctorDeps {
  paths: HelperPaths;
  now(): number;
  openSecrets(): Promise<SecretStore>;
  probePort: PortProbe;
  probeImap(target: ImapTarget): Promise<ImapProbeResult>;
}

export function systemDoctorDeps(paths: HelperPaths): DoctorDeps {
  return {
    paths,
    now: Date.now,
    openSecrets: () => openSecretStore({ configDir: paths.configDir }),
    probePort: probeLoopbackPort,
    probeImap: (target) => probeImap(target),
  };
}

const LOG_ENTRIES_READ = 500;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A check that throws (a damaged file) becomes a failed line instead of ending the doctor. */
async function guarded(title: string, check: () => Promise<CheckResult> | CheckResult): Promise<CheckResult> {
  try {
    return await check();
  } catch (err) {
    const fix = err instanceof StorageError ? 'the helper cannot use that file until it is fixed or moved away' : 'unexpected: run `helper doctor` again, and report this message if it stays';
    return { ok: false, title, detail: message(err), fix };
  }
}

/** What the policy would load, without the crash recovery that writes. */
async function policyState(paths: HelperPaths, accountId: string, now: number): Promise<PolicyState> {
  const store = new FilePolicyStore({ stateDir: paths.stateDir, accountId });
  const saved = await store.loadState();
  if (saved) return saved;
  const entries = await store.readLog(LOG_ENTRIES_READ);
  const lastSuccess = entries.filter((e) => e.outcome === 'success').at(-1);
  return { ...stateFromLog(entries, now), lastSuccessAt: lastSuccess?.at ?? null };
}

async function accountChecks(deps: DoctorDeps, account: AccountConfig, running: RuntimeStatus | undefined): Promise<CheckResult[]> {
  const live = running?.accounts.find((a) => a.id === account.id);
  return Promise.all([
    guarded(`${account.id} server`, async () => reachCheck(account, await deps.probeImap(account))),
    guarded(`${account.id} login`, async () => {
      const now = deps.now();
      return loginCheck(account, await policyState(deps.paths, account.id, now), live, now);
    }),
  ]);
}

export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const { paths } = deps;
  const running = await readRuntimeStatus(paths.stateDir);
  let loaded: { config: HelperConfig } | { error: string };
  try {
    loaded = { config: await loadConfig(paths.configDir) };
  } catch (err) {
    loaded = { error: message(err) };
  }
  const port = ('config' in loaded ? loaded.config.port : undefined) ?? DEFAULT_HELPER_PORT;
  const accounts = 'config' in loaded ? loaded.config.accounts : [];
  const [helper, extension, passwords, perAccount] = await Promise.all([
    guarded('Helper', () => helperCheck(running, port, deps.probePort)),
    guarded('Extension', async () => extensionCheck(await new TokenStore({ file: tokensFile(paths) }).list(), running, port, deps.now())),
    guarded('Passwords', async () => keychainCheck(await deps.openSecrets())),
    Promise.all(accounts.map((account) => accountChecks(deps, account, running))),
  ]);
  return [helper, extension, passwords, configCheck(loaded), ...perAccount.flat()];
}
