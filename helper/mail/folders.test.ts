import { describe, expect, it } from 'vitest';
import { missingFolderMessage, pickFolder, type ListedFolder } from './folders';

const f = (path: string, specialUse?: string, delimiter = '/'): ListedFolder => ({ path, delimiter, ...(specialUse ? { specialUse } : {}) });

describe('pickFolder', () => {
  it('takes the folder the user chose, and nothing else when it is gone', () => {
    const folders = [f('INBOX'), f('Old mail'), f('Archive', '\\Archive')];
    expect(pickFolder(folders, '\\Archive', 'Old mail')).toBe('Old mail');
    expect(pickFolder(folders, '\\Archive', 'Vanished')).toBeUndefined();
  });

  it('prefers the special-use flag to a name', () => {
    expect(pickFolder([f('INBOX'), f('Trash'), f('Bin', '\\Trash')], '\\Trash')).toBe('Bin');
  });

  it('finds the usual names without a flag, at the top or under INBOX, in the order of the list', () => {
    expect(pickFolder([f('INBOX'), f('archives')], '\\Archive')).toBe('archives');
    expect(pickFolder([f('INBOX'), f('INBOX.Trash', undefined, '.')], '\\Trash')).toBe('INBOX.Trash');
    expect(pickFolder([f('INBOX'), f('Deleted Items'), f('Trash')], '\\Trash')).toBe('Trash');
    expect(pickFolder([f('INBOX'), f('Deleted Messages')], '\\Trash')).toBe('Deleted Messages');
    // A folder deeper down with the same last name is someone's own folder, not the trash.
    expect(pickFolder([f('INBOX'), f('Projects/Trash')], '\\Trash')).toBeUndefined();
    expect(pickFolder([f('INBOX')], '\\Archive')).toBeUndefined();
  });

  it('says what to do when a folder is missing, in plain words', () => {
    expect(missingFolderMessage('\\Archive')).toBe('This account has no archive folder. Choose or create one in the account\'s settings ("Archive and delete").');
    expect(missingFolderMessage('\\Trash', 'Bin')).toMatch(/^The trash folder "Bin" is no longer on the server\. Choose or create another/);
  });
});
