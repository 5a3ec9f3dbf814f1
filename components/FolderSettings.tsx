/**
 * "Archive and delete" for one account: which folder archive moves to, and whether delete moves
 * to a trash folder or removes the message for good. The folder list comes from the server when
 * the user opens this; a name not on the server is created there when saved.
 */
import { useState } from 'preact/hooks';
import type { AccountStatus, DeleteMode, FolderList } from '../protocol';
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
        setArchive(account.archiveFolder ?? folders.archive ?? 'Archive');
        setTrash(account.trashFolder ?? folders.trash ?? 'Trash');
        return undefined;
      },
    );

  if (!list) {
    return (
      <div class="row">
        <button type="button" disabled={action.busy} onClick={load} aria-label={`Archive and delete folders for ${name}`}>
          Archive and delete…
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
    void action.run(() => on.setFolders(account.id, choices), () => 'Saved: archive and delete use these now.');
  };
  const listId = `folders-${account.id}`;

  return (
    <form class="stack" onSubmit={save} aria-label={`Archive and delete for ${name}`}>
      <h4>Archive and delete</h4>
      <datalist id={listId}>
        {paths.map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      <label>
        Archive moves mail to
        <input required list={listId} value={archive} onInput={(e) => setArchive(e.currentTarget.value)} spellcheck={false} />
      </label>
      {isNew(archive) && <p class="meta">"{archive.trim()}" is not on the server yet: it is created when you save.</p>}
      <fieldset>
        <legend>Delete</legend>
        <label class="check">
          <input type="radio" name={`mode-${account.id}`} checked={mode === 'trash'} onChange={() => setMode('trash')} /> Move to a trash folder
        </label>
        {mode === 'trash' && (
          <label>
            Trash folder
            <input required list={listId} value={trash} onInput={(e) => setTrash(e.currentTarget.value)} spellcheck={false} />
          </label>
        )}
        {mode === 'trash' && isNew(trash) && <p class="meta">"{trash.trim()}" is not on the server yet: it is created when you save.</p>}
        <label class="check">
          <input type="radio" name={`mode-${account.id}`} checked={mode === 'expunge'} onChange={() => setMode('expunge')} /> Delete permanently (cannot be undone)
        </label>
      </fieldset>
      <div class="row">
        <button type="submit" class="primary" disabled={action.busy}>
          Save folders
        </button>
        <button type="button" onClick={() => setList(undefined)}>
          Close
        </button>
      </div>
      <Outcome state={action} />
    </form>
  );
}
