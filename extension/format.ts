/** Short, human display strings for the pages, in the UI language (Intl, made once per locale). */
import type { Address } from '../protocol';
import { t, uiLocale } from './i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Formats {
  locale: string;
  relative: Intl.RelativeTimeFormat;
  /** In a sentence ("Next try in 4 minutes."): spelled out, so no abbreviation's dot meets the sentence's. */
  relativeLong: Intl.RelativeTimeFormat;
  weekday: Intl.DateTimeFormat;
  dayMonth: Intl.DateTimeFormat;
  dayMonthYear: Intl.DateTimeFormat;
  full: Intl.DateTimeFormat;
  time: Intl.DateTimeFormat;
}

// One formatter each, made once: toLocaleDateString builds a new one per call, which cost the
// popup 5 to 20 ms for its 50 rows (measured in Chromium) against under 0.5 ms this way.
let made: Formats | undefined;
function formats(): Formats {
  const locale = uiLocale();
  if (made?.locale !== locale) {
    made = {
      locale,
      relative: new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }),
      relativeLong: new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' }),
      weekday: new Intl.DateTimeFormat(locale, { weekday: 'long' }),
      dayMonth: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }),
      dayMonthYear: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }),
      full: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
      time: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }),
    };
  }
  return made;
}

/** "now", "5 min. ago", "3 hr. ago" today; "yesterday"; the weekday within six days; then the date. */
export function relativeDate(date: number, now: number): string {
  const f = formats();
  const age = now - date;
  if (age < MINUTE) return f.relative.format(0, 'second');
  if (age < HOUR) return f.relative.format(-Math.floor(age / MINUTE), 'minute');
  const then = new Date(date);
  const today = new Date(now);
  if (then.toDateString() === today.toDateString()) return f.relative.format(-Math.floor(age / HOUR), 'hour');
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (then.toDateString() === yesterday.toDateString()) return f.relative.format(-1, 'day');
  if (age < 6 * 24 * HOUR) return f.weekday.format(then);
  return (then.getFullYear() === today.getFullYear() ? f.dayMonth : f.dayMonthYear).format(then);
}

export function fullDate(date: number): string {
  return formats().full.format(date);
}

/** When a paused account tries again: "in 3 minutes", or the clock time when it is further off. */
export function untilText(until: number, now: number): string {
  const wait = until - now;
  if (wait < MINUTE) return t('inLessThanAMinute');
  if (wait < HOUR) return formats().relativeLong.format(Math.ceil(wait / MINUTE), 'minute');
  return t('atTime', formats().time.format(until));
}

/** An attachment's size: "820 B", "14 kB", "1.2 MB" in the UI language's numbers. */
export function fileSize(bytes: number): string {
  const [value, unit] = bytes < 1000 ? [bytes, 'byte'] : bytes < 1_000_000 ? [bytes / 1000, 'kilobyte'] : [bytes / 1_000_000, 'megabyte'];
  return new Intl.NumberFormat(uiLocale(), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
}

export function senderName(from: Address): string {
  return from.name?.trim() || from.address?.trim() || t('unknownSender');
}

/**
 * An address in at most `max` characters for a one-line row: a long one keeps its start and its
 * whole domain ("security-team-a…@attacker.test"), as the domain is what a spoofing display name
 * hides. The reader shows it whole.
 */
export function compactAddress(address: string, max = 30): string {
  if (address.length <= max) return address;
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at) : address.slice(-Math.floor(max / 2));
  if (domain.length >= max - 4) return `…${domain.slice(-(max - 1))}`;
  return `${address.slice(0, max - domain.length - 1)}…${domain}`;
}

/** The display name, when there is one and it is not just the address again. */
export function displayName(from: Address): string | undefined {
  const name = from.name?.trim();
  return name && name.toLowerCase() !== from.address?.trim().toLowerCase() ? name : undefined;
}

/** The sender's initial for the row's badge: the first letter or digit of the name or address. */
export function initialOf(from: Address): string {
  const match = senderName(from).match(/[\p{L}\p{N}]/u);
  return match ? match[0].toLocaleUpperCase(uiLocale()) : '?';
}

/** A hue (0–359) per account, so rows of different accounts are told apart at a glance. */
export function accountHue(accountId: string): number {
  let hash = 0;
  for (const ch of accountId) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  // Eight hues far apart read better than any of 360.
  return ((hash % 8) * 45 + 210) % 360;
}
