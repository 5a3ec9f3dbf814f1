/**
 * Account settings in configDir/config.json. Checked at load so a hand-edited mistake is named
 * (file and field) instead of failing later. Passwords never live here: an unknown key such as
 * "password" is refused.
 */
import { join } from 'node:path';
import * as v from 'valibot';
import { ACCOUNT_KINDS, DELETE_MODES } from '../../protocol';
import { AccountIdSchema } from './account-id';
import { corruptFile, readJson, writeJsonAtomic } from './atomic-file';

const DEFAULT_PREVIEW_COUNT = 50;

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const folder = text(512);

const AccountConfigSchema = v.strictObject({
  id: AccountIdSchema,
  label: v.pipe(v.string(), v.maxLength(1024)),
  kind: v.picklist(ACCOUNT_KINDS),
  host: text(255),
  port,
  tls: v.boolean(),
  /** Log in without TLS or STARTTLS to a server that is not on this machine: the user ticked it. */
  allowUnencrypted: v.optional(v.boolean()),
  username: text(320),
  /** Besides INBOX, which is always watched. */
  watchedFolders: v.optional(v.pipe(v.array(folder), v.maxLength(32)), []),
  archiveFolder: v.optional(folder),
  trashFolder: v.optional(folder),
  /** `expunge` only where the user chose it: delete then removes the message for good. */
  deleteMode: v.optional(v.picklist(DELETE_MODES)),
  previewCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)), DEFAULT_PREVIEW_COUNT),
});

const HelperConfigSchema = v.strictObject({
  version: v.literal(1),
  port: v.optional(port),
  accounts: v.array(AccountConfigSchema),
});

export type AccountConfig = v.InferOutput<typeof AccountConfigSchema>;
/** What addAccount takes: the defaulted fields may be left out. */
export type AccountInput = v.InferInput<typeof AccountConfigSchema>;
export type HelperConfig = v.InferOutput<typeof HelperConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function configPath(configDir: string): string {
  return join(configDir, 'config.json');
}

function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  const path = v.getDotPath(issue) ?? 'top level';
  if (issue.kind === 'schema' && issue.expected === 'never') {
    return /pass/i.test(path) ? `${path}: passwords are kept in the keychain, never in this file; remove it` : `${path}: unknown setting`;
  }
  return `${path}: ${issue.message}`;
}

export async function loadConfig(configDir: string): Promise<HelperConfig> {
  const path = configPath(configDir);
  const raw = await readJson(path);
  if (raw === undefined) return { version: 1, accounts: [] };
  const parsed = v.safeParse(HelperConfigSchema, raw);
  if (!parsed.success) throw corruptFile(path, firstIssue(parsed.issues));
  const duplicate = parsed.output.accounts.find((a, i, all) => all.findIndex((b) => b.id === a.id) !== i);
  if (duplicate) throw corruptFile(path, `account id "${duplicate.id}" is used twice`);
  return parsed.output;
}

export function saveConfig(configDir: string, config: HelperConfig): Promise<void> {
  return writeJsonAtomic(configPath(configDir), config, { mode: 0o600 });
}

function checkedAccount(input: unknown): AccountConfig {
  const parsed = v.safeParse(AccountConfigSchema, input);
  if (!parsed.success) throw new ConfigError(`Invalid account settings: ${firstIssue(parsed.issues)}`);
  return parsed.output;
}

function indexOf(config: HelperConfig, id: string): number {
  const index = config.accounts.findIndex((a) => a.id === id);
  if (index < 0) throw new ConfigError(`No account with id "${id}".`);
  return index;
}

export function addAccount(config: HelperConfig, input: AccountInput): HelperConfig {
  const account = checkedAccount(input);
  if (config.accounts.some((a) => a.id === account.id)) throw new ConfigError(`An account with id "${account.id}" exists already.`);
  return { ...config, accounts: [...config.accounts, account] };
}

export function updateAccount(config: HelperConfig, id: string, changes: Partial<Omit<AccountConfig, 'id'>>): HelperConfig {
  const index = indexOf(config, id);
  const account = checkedAccount({ ...config.accounts[index], ...changes, id });
  return { ...config, accounts: config.accounts.map((a, i) => (i === index ? account : a)) };
}

export function removeAccount(config: HelperConfig, id: string): HelperConfig {
  const index = indexOf(config, id);
  return { ...config, accounts: config.accounts.filter((_, i) => i !== index) };
}
