/**
 * Apple's app-specific passwords are four groups of four lowercase letters ("abcd-efgh-ijkl-mnop").
 * Checking the shape before sending catches the common mistake of typing the Apple ID password,
 * which iCloud refuses for IMAP and which repeated failures can get the account locked for.
 */
import { t } from './i18n';

const APP_PASSWORD = /^[a-z]{4}-?[a-z]{4}-?[a-z]{4}-?[a-z]{4}$/i;

/** The canonical dashed form, or undefined when the input is not shaped like an app-specific password. */
export function normalizeAppPassword(input: string): string | undefined {
  const compact = input.replace(/\s+/g, '');
  if (!APP_PASSWORD.test(compact)) return undefined;
  const letters = compact.replace(/-/g, '').toLowerCase();
  return letters.match(/.{4}/g)!.join('-');
}

/** Said when the input is not shaped like one (the example is the shape, not a translation). */
export const APP_PASSWORD_EXAMPLE = 'abcd-efgh-ijkl-mnop';

export function appPasswordShapeMessage(): string {
  return t('appPasswordShape', APP_PASSWORD_EXAMPLE);
}
