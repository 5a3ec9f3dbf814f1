/**
 * New-mail notifications. The helper decides what is new (its persisted high-water mark) and names
 * it in a delta's `notify`; this side only shows those, never snapshot contents, and remembers what
 * it has shown in storage.local so a restarted worker replaying a delta stays quiet.
 */
import * as v from 'valibot';
import { MessageKeySchema, messageKeyString, type DeltaMessage, type MessageKey, type Preview } from '../protocol';
import { plural, t } from './i18n';
import type { QuietHours, Settings } from './settings';
import { STORAGE_KEYS, type KeyValueStore } from './storage';

/** More than this many new messages in one delta become a single grouped notification. */
export const GROUP_THRESHOLD = 3;
/** How many notified keys are remembered (oldest forgotten first). */
export const MAX_NOTIFIED_KEYS = 2000;

export interface NotificationOptions {
  type: 'basic';
  iconUrl: string;
  title: string;
  message: string;
  contextMessage?: string;
  buttons?: { title: string }[];
}

export interface NotificationsApi {
  create(id: string, options: NotificationOptions): Promise<string>;
  clear(id: string): Promise<boolean>;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Local-time window; an end before the start spans midnight; equal start and end means no quiet time. */
export function inQuietHours(now: Date, quiet: QuietHours): boolean {
  if (!quiet.enabled) return false;
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const t = now.getHours() * 60 + now.getMinutes();
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/** What a click on a notification acts on; carried in the notification id so it survives a worker restart. */
export interface NotificationTarget {
  accountId: string;
  keys: MessageKey[];
}

const ID_PREFIX = 'mail:';
const TargetSchema = v.object({ accountId: v.string(), keys: v.array(MessageKeySchema) });

export function notificationId(target: NotificationTarget): string {
  return ID_PREFIX + JSON.stringify(target);
}

export function parseNotificationId(id: string): NotificationTarget | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined;
  try {
    const parsed = v.safeParse(TargetSchema, JSON.parse(id.slice(ID_PREFIX.length)));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** The bounded set of message keys already notified, persisted after every change. */
export class NotifiedKeys {
  #keys: string[] | undefined;

  constructor(private readonly store: KeyValueStore) {}

  async #load(): Promise<string[]> {
    if (!this.#keys) {
      const raw = await this.store.get(STORAGE_KEYS.notifiedKeys);
      this.#keys = Array.isArray(raw) ? raw.filter((k): k is string => typeof k === 'string') : [];
    }
    return this.#keys;
  }

  /** Records the keys and returns the ones not seen before. */
  async claim(ids: string[]): Promise<string[]> {
    const keys = await this.#load();
    const known = new Set(keys);
    const fresh = [...new Set(ids)].filter((id) => !known.has(id));
    if (fresh.length === 0) return [];
    this.#keys = [...keys, ...fresh].slice(-MAX_NOTIFIED_KEYS);
    await this.store.set(STORAGE_KEYS.notifiedKeys, this.#keys);
    return fresh;
  }

  async clear(): Promise<void> {
    this.#keys = [];
    await this.store.remove(STORAGE_KEYS.notifiedKeys);
  }
}

function sender(p: Preview): string {
  return p.from.name || p.from.address || t('unknownSender');
}

function subject(p: Preview): string {
  return p.subject.trim() || t('noSubject');
}

export interface NotifierDeps {
  /** Absent where the browser has no notifications API (Safari). */
  api: NotificationsApi | undefined;
  /** Chrome shows buttons; Firefox rejects the option. */
  supportsButtons: boolean;
  notified: NotifiedKeys;
  settings: () => Settings;
  now: () => Date;
  iconUrl: string;
  accountLabel: (accountId: string) => string;
  onError: (error: unknown) => void;
}

export class Notifier {
  /** Deltas are handled one after another so two can't both claim and show the same key. */
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NotifierDeps) {}

  handleDelta(delta: DeltaMessage): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(delta)).catch(this.deps.onError);
    return this.#queue;
  }

  async #handle(delta: DeltaMessage): Promise<void> {
    if (delta.notify.length === 0) return;
    const ids = delta.notify.map((k) => `${delta.accountId}\u0000${messageKeyString(k)}`);
    // Claimed even when nothing is shown (quiet hours, turned off): mail that arrived then is not
    // announced later, it is in the badge and the popup.
    const fresh = new Set(await this.deps.notified.claim(ids));
    const keys = delta.notify.filter((_, i) => fresh.has(ids[i]));
    const { api } = this.deps;
    const settings = this.deps.settings();
    if (keys.length === 0 || !api || !settings.notifications || inQuietHours(this.deps.now(), settings.quietHours)) return;

    const byKey = new Map(delta.added.map((p) => [messageKeyString(p.key), p]));
    const label = this.deps.accountLabel(delta.accountId);
    const buttons = this.deps.supportsButtons ? { buttons: [{ title: t('markRead') }, { title: t('notificationOpen') }] } : {};
    const base = { type: 'basic' as const, iconUrl: this.deps.iconUrl, contextMessage: label, ...buttons };

    if (keys.length > GROUP_THRESHOLD) {
      const previews = keys.map((k) => byKey.get(messageKeyString(k))).filter((p): p is Preview => !!p);
      await api.create(notificationId({ accountId: delta.accountId, keys }), {
        ...base,
        title: plural('newMessages', keys.length),
        message: previews.slice(0, 3).map((p) => t('rowLabel', sender(p), subject(p))).join('\n'),
      });
      return;
    }
    for (const key of keys) {
      const preview = byKey.get(messageKeyString(key));
      await api.create(notificationId({ accountId: delta.accountId, keys: [key] }), {
        ...base,
        title: preview ? sender(preview) : plural('newMessages', 1),
        message: preview ? [subject(preview), preview.snippet].filter(Boolean).join('\n') : t('newMailIn', label),
      });
    }
  }
}
