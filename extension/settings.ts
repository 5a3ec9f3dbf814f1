/** The user's extension settings (in storage.local under `settings`): validated on the way in and out. */
import * as v from 'valibot';
import { DEFAULT_HELPER_PORT, type AccountStatus } from '../protocol';
import { UserError } from './errors';
import { t } from './i18n';
import { STORAGE_KEYS, type KeyValueStore } from './storage';

export const DEFAULT_HELPER_ADDRESS = `ws://127.0.0.1:${DEFAULT_HELPER_PORT}`;
export const ICLOUD_WEBMAIL_URL = 'https://www.icloud.com/mail/';

const hhmm = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/));

const fields = {
  helperAddress: v.string(),
  notifications: v.boolean(),
  quietHours: v.object({ enabled: v.boolean(), start: hhmm, end: hhmm }),
  markReadOnOpen: v.boolean(),
  /** Webmail links for accounts the helper names none for (iCloud has its own), by account id. */
  webmailUrls: v.record(v.string(), v.string()),
};

const SettingsSchema = v.object({
  helperAddress: v.optional(fields.helperAddress, DEFAULT_HELPER_ADDRESS),
  notifications: v.optional(fields.notifications, true),
  quietHours: v.optional(fields.quietHours, { enabled: false, start: '22:00', end: '07:00' }),
  markReadOnOpen: v.optional(fields.markReadOnOpen, true),
  webmailUrls: v.optional(fields.webmailUrls, {}),
});
const SettingsChangeSchema = v.partial(v.strictObject(fields));
export type Settings = v.InferOutput<typeof SettingsSchema>;
export type QuietHours = Settings['quietHours'];

export const defaultSettings: Settings = v.parse(SettingsSchema, {});

/** Stored settings with anything unreadable replaced by its default: a bad value never blocks startup. */
export function parseSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return defaultSettings;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in defaultSettings)) continue;
    const field = v.safeParse(fields[key as keyof Settings], value);
    if (field.success) merged[key] = field.output;
  }
  return v.parse(SettingsSchema, merged);
}

/**
 * The helper listens on loopback only; refusing any other host keeps the pairing token from ever
 * being sent off the machine. Returns the normalised address or a message saying what is wrong.
 */
export function checkHelperAddress(input: string): { ok: true; address: string } | { ok: false; message: string } {
  let url: URL;
  // The helper prints its address as host:port; the scheme is implied.
  const text = input.trim();
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ws://${text}`);
  } catch {
    return { ok: false, message: t('addressShape', DEFAULT_HELPER_ADDRESS) };
  }
  if (url.protocol !== 'ws:') return { ok: false, message: t('addressScheme') };
  // The extension's CSP allows exactly these two (an IPv6 literal is not a valid CSP source).
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    return { ok: false, message: t('addressLoopback') };
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    return { ok: false, message: t('addressNothingAfter') };
  }
  return { ok: true, address: `ws://${url.host}` };
}

/** Webmail links open in a tab: only http(s), never javascript: or data:. */
export function checkWebmailUrl(input: string): string | undefined {
  try {
    const url = new URL(input.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export async function loadSettings(store: KeyValueStore): Promise<Settings> {
  return parseSettings(await store.get(STORAGE_KEYS.settings));
}

/** Merges a change into the stored settings; invalid parts are rejected with a message, nothing half-saved. */
export async function saveSettings(store: KeyValueStore, change: Partial<Settings>): Promise<Settings> {
  const checked = v.safeParse(SettingsChangeSchema, change);
  if (!checked.success) {
    const field = checked.issues[0].path?.[0]?.key;
    throw new UserError(field === 'quietHours' ? t('quietHoursInvalid') : t('settingInvalid', String(field)));
  }
  const next = { ...(await loadSettings(store)), ...checked.output };
  const address = checkHelperAddress(next.helperAddress);
  if (!address.ok) throw new UserError(address.message);
  next.helperAddress = address.address;
  const webmailUrls: Record<string, string> = {};
  for (const [id, url] of Object.entries(next.webmailUrls)) {
    if (url.trim() === '') continue;
    const link = checkWebmailUrl(url);
    if (!link) throw new UserError(t('webmailLinkInvalid'));
    webmailUrls[id] = link;
  }
  next.webmailUrls = webmailUrls;
  await store.set(STORAGE_KEYS.settings, next);
  return next;
}

/** Where "Open in webmail" goes: the helper's link, else the user's, else iCloud's; undefined hides the button. */
export function webmailUrlFor(account: AccountStatus, settings: Settings): string | undefined {
  const fromHelper = account.webmailUrl ? checkWebmailUrl(account.webmailUrl) : undefined;
  return fromHelper ?? settings.webmailUrls[account.id] ?? (account.kind === 'icloud' ? ICLOUD_WEBMAIL_URL : undefined);
}
