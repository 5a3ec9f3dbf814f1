/**
 * Where a LoginPolicy keeps its state: on disk for the helper (a JSON state file plus the
 * JSONL login log, both in stateDir), in memory for tests of modules that use a policy.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import type { LoginLogEntry } from '../../protocol';
import { LOGIN_TRIGGERS, type PolicyState, type PolicyStore } from '../policy/types';
import { assertAccountId } from './account-id';
import { corruptFile, readJson, writeJsonAtomic } from './atomic-file';
import { LoginLog, loginLogPath } from './login-log';

const time = v.pipe(v.number(), v.minValue(0));
const PolicyStateSchema = v.object({
  version: v.literal(1),
  attempts: v.array(time),
  userRetries: v.array(time),
  consecutiveFailures: v.pipe(v.number(), v.integer(), v.minValue(0)),
  // Optional with defaults: files written before these fields existed still load.
  connectFailures: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  streakBeforeLogin: v.pipe(v.number(), v.integer(), v.minValue(0)),
  backoff: v.nullable(v.object({ until: time, reason: v.string() })),
  authFailed: v.nullable(v.object({ at: time, reason: v.string(), unknown: v.optional(v.boolean()) })),
  pending: v.nullable(v.object({ at: time, trigger: v.picklist(LOGIN_TRIGGERS) })),
  lastSuccessAt: v.nullable(time),
  userAction: v.optional(v.nullable(v.picklist(['user-retry', 'new-password'])), null),
}) satisfies v.GenericSchema<unknown, PolicyState>;

export function policyStatePath(stateDir: string, accountId: string): string {
  assertAccountId(accountId);
  return join(stateDir, `policy-${accountId}.json`);
}

export class FilePolicyStore implements PolicyStore {
  private readonly statePath: string;
  private readonly log: LoginLog;

  constructor(options: { stateDir: string; accountId: string }) {
    this.statePath = policyStatePath(options.stateDir, options.accountId);
    this.log = new LoginLog(loginLogPath(options.stateDir, options.accountId));
  }

  async loadState(): Promise<PolicyState | null> {
    const raw = await readJson(this.statePath);
    if (raw === undefined) return null;
    const parsed = v.safeParse(PolicyStateSchema, raw);
    if (!parsed.success) {
      // Moving it away is safe: the policy rebuilds the login budget from the login log.
      throw corruptFile(this.statePath, `${v.getDotPath(parsed.issues[0]) ?? 'top level'}: ${parsed.issues[0].message}`);
    }
    return parsed.output;
  }

  saveState(state: PolicyState): Promise<void> {
    return writeJsonAtomic(this.statePath, state);
  }

  appendLog(entry: LoginLogEntry): Promise<void> {
    return this.log.append(entry);
  }

  readLog(limit: number): Promise<LoginLogEntry[]> {
    return this.log.tail(limit);
  }
}

/** Keeps copies, so a test cannot pass by mutating what the policy handed over. */
export class MemoryPolicyStore implements PolicyStore {
  private state: PolicyState | null = null;
  private readonly entries: LoginLogEntry[] = [];

  async loadState(): Promise<PolicyState | null> {
    return this.state && structuredClone(this.state);
  }

  async saveState(state: PolicyState): Promise<void> {
    this.state = structuredClone(state);
  }

  async appendLog(entry: LoginLogEntry): Promise<void> {
    this.entries.push({ ...entry });
  }

  async readLog(limit: number): Promise<LoginLogEntry[]> {
    return limit > 0 ? this.entries.slice(-limit).map((e) => ({ ...e })) : [];
  }
}
