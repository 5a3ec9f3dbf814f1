import type { ImapFlow } from 'imapflow';

/**
 * The folder for archive or delete. imapflow reports special-use flags from LIST and, where the
 * server sends none (iCloud has no SPECIAL-USE), guesses them from well-known names such as
 * "Archive" and "Deleted Messages". A folder the user configured wins for archive.
 */
export async function findSpecialFolder(
  client: ImapFlow,
  use: '\\Archive' | '\\Trash',
  configured?: string,
): Promise<string | undefined> {
  if (configured) return configured;
  const folders = await client.list();
  return folders.find((folder) => folder.specialUse === use)?.path;
}
