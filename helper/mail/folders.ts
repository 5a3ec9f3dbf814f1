/**
 * Which folder archive and delete use. In order: the folder the user chose; the folder the server
 * flags `\Archive` / `\Trash` (imapflow also guesses the flag from names when the server has no
 * SPECIAL-USE, as iCloud); a folder with one of the usual names, at the top or under INBOX (stock
 * Dovecot and many hosts advertise SPECIAL-USE but flag nothing). Pure: the session lists, this picks.
 */
import type { Folder } from '../../protocol';

export type FolderUse = '\\Archive' | '\\Trash';

/** The names people and servers use, compared without case; the first found wins. */
export const USUAL_NAMES: Record<FolderUse, readonly string[]> = {
  '\\Archive': ['Archive', 'Archives', 'Archived'],
  '\\Trash': ['Trash', 'Deleted Messages', 'Deleted Items', 'Deleted', 'Bin'],
};

export interface ListedFolder extends Folder {
  /** The hierarchy delimiter the server uses for this folder ("." or "/"), when it has one. */
  delimiter?: string;
}

/** The folder a use goes to, or undefined when the server has none and the user chose none. */
export function pickFolder(folders: readonly ListedFolder[], use: FolderUse, configured?: string): string | undefined {
  if (configured) return folders.some((f) => f.path === configured) ? configured : undefined;
  const flagged = folders.find((f) => f.specialUse === use);
  if (flagged) return flagged.path;
  for (const name of USUAL_NAMES[use]) {
    const wanted = name.toLowerCase();
    const match =
      folders.find((f) => f.path.toLowerCase() === wanted) ??
      folders.find((f) => f.delimiter !== undefined && f.path.toLowerCase() === `inbox${f.delimiter}${wanted}`);
    if (match) return match.path;
  }
  return undefined;
}

/** What the user reads when a folder is missing, with what to do about it. */
export function missingFolderMessage(use: FolderUse, configured?: string): string {
  const what = use === '\\Archive' ? 'archive' : 'trash';
  if (configured) {
    return `The ${what} folder "${configured}" is no longer on the server. Choose or create another in the account's settings.`;
  }
  return use === '\\Archive'
    ? 'This account has no archive folder. Choose or create one in the account\'s settings ("Archive and delete").'
    : 'This account has no trash folder. Choose or create one in the account\'s settings ("Archive and delete"), or choose to delete messages permanently there.';
}
