/**
 * Apple's app-specific passwords are four groups of four lowercase letters ("abcd-efgh-ijkl-mnop").
 * Checking the shape before sending catches the common mistake of typing the Apple ID password,
 * which iCloud refuses for IMAP and which repeated failures can get the account locked for.
 */
const APP_PASSWORD = /^[a-z]{4}-?[a-z]{4}-?[a-z]{4}-?[a-z]{4}$/i;

/** The canonical dashed form, or undefined when the input is not shaped like an app-specific password. */
export function normalizeAppPassword(input: string): string | undefined {
  const compact = input.replace(/\s+/g, '');
  if (!APP_PASSWORD.test(compact)) return undefined;
  const letters = compact.replace(/-/g, '').toLowerCase();
  return letters.match(/.{4}/g)!.join('-');
}

export const APP_PASSWORD_SHAPE_MESSAGE =
  'This does not look like an app-specific password (four groups of four letters, like abcd-efgh-ijkl-mnop). Your Apple ID password does not work here.';
