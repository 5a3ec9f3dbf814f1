/**
 * The extension's catalogues as the browser reads them (public/_locales/<lang>/messages.json), for
 * tests: getMessage with the same placeholder rules as Chrome and Firefox ($NAME$ → its content,
 * $1…$9 → the substitutions, $$ → $).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setMessageSource, type Direction, type MessageSource } from '../../extension/i18n';

export const LOCALES_DIR = resolve(import.meta.dirname, '../../public/_locales');

export interface CatalogueEntry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}
export type Catalogue = Record<string, CatalogueEntry>;

export const LOCALES: string[] = readdirSync(LOCALES_DIR).sort();

export function readCatalogue(locale: string): Catalogue {
  return JSON.parse(readFileSync(resolve(LOCALES_DIR, locale, 'messages.json'), 'utf8')) as Catalogue;
}

export function catalogueSource(locale: string, dir: Direction = 'ltr'): MessageSource {
  // Names and placeholder names are case-insensitive, as in the browsers.
  const byName = new Map(Object.entries(readCatalogue(locale)).map(([name, entry]) => [name.toLowerCase(), entry]));
  return {
    locale: locale.replace(/_/g, '-'),
    dir,
    getMessage(name, substitutions = []) {
      const entry = byName.get(name.toLowerCase());
      if (!entry) return '';
      const placeholders = new Map(Object.entries(entry.placeholders ?? {}).map(([key, p]) => [key.toLowerCase(), p.content]));
      return entry.message
        .replace(/\$([A-Za-z0-9_]+)\$/g, (whole, key: string) => placeholders.get(key.toLowerCase()) ?? whole)
        .replace(/\$(\$|[1-9])/g, (_, what: string) => (what === '$' ? '$' : (substitutions[Number(what) - 1] ?? '')));
    },
  };
}

/** Makes the extension speak `locale` (English unless a test asks for another). */
export function useCatalogue(locale = 'en', dir: Direction = 'ltr'): void {
  setMessageSource(catalogueSource(locale, dir));
}
