/**
 * "Archive and delete" for one account: which folder archive moves to, and whether delete moves
 * to a trash folder or removes the message for good. The folder list comes from the server when
 * the user opens this; a name not on the server is created there when saved.
 */
import { useState } from 'preact/hooks';
import type { AccountStatus, DeleteMode, FolderList } from '../protocol';
import { t } from '../extension/i18n';
import { rich } from './rich';
import { Outcome, useAction } from './useAction';

export interface FolderChoices {
  archiveFolder: string;
  trashFolder?: string;
  deleteMode: DeleteMode;
}

export interface FolderIntents {
  listFolders(id: string): Promise<FolderList>;
  setFolders(id: string, choices: FolderChoices): Promise<void>;
}

interface Props {
  account: AccountStatus;
  on: FolderIntents;
}

const DEFAULT_FOLDERS = { archive: 'Archive', trash: 'Trash' } as const;

export function FolderSettings({ account, on }: Props) {
  const [list, setList] = useState<FolderList | undefined>(undefined);
  const [archive, setArchive] = useState('');
  const [trash, setTrash] = useState('');
  const [mode, setMode] = useState<DeleteMode>(account.deleteMode ?? 'trash');
  const action = useAction();
  const name = account.label;

  const load = () =>
    action.run(
      () => on.listFolders(account.id),
      (folders) => {
        setList(folders);
        // The usual English names on the server, whatever the page's language (a guess the user can change).
        setArchive(account.archiveFolder ?? folders.archive ?? DEFAULT_FOLDERS.archive);
        setTrash(account.trashFolder ?? folders.trash ?? DEFAULT_FOLDERS.trash);
        return undefined;
      },
    );

  if (!list) {
    return (
      <div class="row">
        <button type="button" disabled={action.busy} onClick={load} aria-label={t('foldersFor', name)}>
          {t('foldersOpen')}
        </button>
        <Outcome state={action} />
      </div>
    );
  }

  const paths = list.folders.map((f) => f.path).filter((p) => p.toUpperCase() !== 'INBOX');
  const isNew = (path: string) => path.trim() !== '' && !paths.includes(path.trim());
  const save = (event: Event) => {
    event.preventDefault();
    const choices: FolderChoices = { archiveFolder: archive.trim(), deleteMode: mode, ...(mode === 'trash' ? { trashFolder: trash.trim() } : {}) };
    void action.run(() => on.setFolders(account.id, choices), () => t('foldersSaved'));
  };
  const listId = `folders-${account.id}`;

  return (
    <form class="stack" onSubmit={save} aria-label={t('foldersFormFor', name)}>
      <h4>{t('foldersTitle')}</h4>
      <datalist id={listId}>
        {paths.map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      <label>
        {t('archiveMovesTo')}
        <input required list={listId} value={archive} onInput={(e) => setArchive(e.currentTarget.value)} spellcheck={false} />
      </label>
      {isNew(archive) && <p class="meta">{rich('folderWillBeCreated', <bdi>{archive.trim()}</bdi>)}</p>}
      <fieldset>
        <legend>{t('delete')}</legend>
        <label class="check">
          <input type="radio" name={`mode-${account.id}`} checked={mode === 'trash'} onChange={() => setMode('trash')} /> {t('deleteToTrash')}
        </label>
        {mode === 'trash' && (
          <label>
            {t('trashFolder')}
            <input required list={listId} value={trash} onInput={(e) => setTrash(e.currentTarget.value)} spellcheck={false} />
          </label>
        )}
        {mode === 'trash' && isNew(trash) && <p class="meta">{rich('folderWillBeCreated', <bdi>{trash.trim()}</bdi>)}</p>}
        <label class="check">
          <input type="radio" name={`mode-${account.id}`} checked={mode === 'expunge'} onChange={() => setMode('expunge')} /> {t('deletePermanently')}
        </label>
      </fieldset>
      <div class="row">
        <button type="submit" class="primary" disabled={action.busy}>
          {t('saveFolders')}
        </button>
        <button type="button" onClick={() => setList(undefined)}>
          {t('close')}
        </button>
      </div>
      <Outcome state={action} />
    </form>
  );
}
