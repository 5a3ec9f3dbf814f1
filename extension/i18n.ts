/**
 * The words the extension shows, from the WebExtension i18n catalogue
 * (public/_locales/<lang>/messages.json; English is the default and the source of the names).
 * Each page and the background set the source once, before anything renders (the entry points
 * pass `browser.i18n`; tests pass the English catalogue): components never touch browser APIs.
 * Synchronous and tiny, as the popup's first paint waits for nothing here.
 */
import type English from '../public/_locales/en/messages.json';

export type MessageName = keyof typeof English;
/** Messages with a form per plural category ("…_one", "…_other", …), named without the suffix. */
export type PluralName = MessageName extends infer K ? (K extends `${infer Base}_other` ? Base : never) : never;
export type Direction = 'ltr' | 'rtl';

export interface MessageSource {
  /** As browser.i18n.getMessage: '' for a name the catalogue lacks. */
  getMessage(name: string, substitutions?: string[]): string;
  /** BCP 47 tag for Intl (dates, numbers, plurals), in the catalogue's language. */
  locale: string;
  dir: Direction;
}

export interface BrowserI18n {
  getMessage(name: string, substitutions?: string | string[]): string;
  getUILanguage(): string;
}

/**
 * The browser's catalogue. Dates follow the browser's own variant of the catalogue's language
 * (en-GB dates for an English catalogue in a British browser), never another language's: a
 * browser in a language not shipped reads the English catalogue, with English dates. The
 * direction is the catalogue's own: `@@bidi_dir` follows the browser's language, not the
 * catalogue picked (an Arabic browser reads the English catalogue, left to right), and headless
 * Chromium with --lang=he picks the Hebrew catalogue yet says ltr.
 */
export function browserMessageSource(i18n: BrowserI18n): MessageSource {
  const catalogue = i18n.getMessage('catalogueLanguage') || 'en';
  const ui = i18n.getUILanguage().replace(/_/g, '-');
  const sameLanguage = ui.split('-')[0].toLowerCase() === catalogue.split('-')[0].toLowerCase();
  return {
    getMessage: (name, substitutions) => i18n.getMessage(name, substitutions),
    locale: sameLanguage ? ui : catalogue,
    dir: i18n.getMessage('catalogueDirection') === 'rtl' ? 'rtl' : 'ltr',
  };
}

let source: MessageSource | undefined;
let plurals: Intl.PluralRules | undefined;
let numbers: Intl.NumberFormat | undefined;

export function setMessageSource(next: MessageSource): void {
  source = next;
  plurals = undefined;
  numbers = undefined;
}

function current(): MessageSource {
  if (!source) throw new Error('No message source: the entry point calls setMessageSource first.');
  return source;
}

export function uiLocale(): string {
  return current().locale;
}

export function uiDirection(): Direction {
  return current().dir;
}

/** The message in the UI language; substitutions fill its placeholders in order ($1, $2, …). */
export function t(name: MessageName, ...substitutions: (string | number)[]): string {
  // A missing message shows its name rather than nothing (the catalogue test keeps them complete).
  return current().getMessage(name, substitutions.map(String)) || name;
}

export function formatNumber(n: number): string {
  numbers ??= new Intl.NumberFormat(current().locale);
  return numbers.format(n);
}

/** The form of a message for `count` in the UI language's plural rules; `count` fills $1, formatted. */
export function plural(name: PluralName, count: number, ...substitutions: (string | number)[]): string {
  plurals ??= new Intl.PluralRules(current().locale);
  const subs = [formatNumber(count), ...substitutions.map(String)];
  const { getMessage } = current();
  return getMessage(`${name}_${plurals.select(count)}`, subs) || getMessage(`${name}_other`, subs) || name;
}
