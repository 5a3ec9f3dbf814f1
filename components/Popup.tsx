/** The toolbar popup: state panel, list or reader, keyboard driven. Props in, intents out. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { keyOf, type AccountState } from '../protocol';
import { t } from '../extension/i18n';
import type { PopupIntents, PopupView } from '../extension/popup-model';
import { Icon } from './icons';
import { keyIntent } from './keys';
import { MessageList, rowId } from './MessageList';
import { MessageView } from './MessageView';
import { StatePanel } from './StatePanel';

const HEALTHY: readonly AccountState[] = ['idle', 'syncing', 'connecting'];

interface Props {
  view: PopupView;
  now: number;
  on: PopupIntents;
}

export function Popup({ view, now, on }: Props) {
  const root = useRef<HTMLDivElement>(null);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const { status, accounts, reader } = view;
  // Connecting or offline, the cached list is still worth reading.
  const showList = status.kind === 'ok' || ((status.kind === 'connecting' || status.kind === 'helper-down') && accounts.length > 0);

  const rows = showList ? accounts.flatMap((a) => a.previews.map((preview) => ({ accountId: a.id, preview, id: rowId(a.id, preview) }))) : [];
  // When the selected message goes (archived, deleted, read elsewhere), the selection stays at its
  // place in the list, on the message that took it: the next one, as in a mail program.
  const lastIndex = useRef(0);
  const indexOf = (list: typeof rows, id: string | undefined) => {
    const found = list.findIndex((r) => r.id === id);
    return found >= 0 ? found : Math.max(0, Math.min(lastIndex.current, list.length - 1));
  };
  const index = indexOf(rows, selected);
  lastIndex.current = index;
  const current = rows[index];
  // Keys can come faster than renders (a held j): each move starts from the last one, not from this render's.
  const rowsNow = useRef(rows);
  rowsNow.current = rows;
  // Bumped by every move key, so the focus comes back to the list even when the selection stays.
  const [navigated, setNavigated] = useState(0);
  const move = (step: number) => {
    setNavigated((n) => n + 1);
    setSelected((previous) => {
      const list = rowsNow.current;
      const to = Math.min(list.length - 1, Math.max(0, indexOf(list, previous) + step));
      lastIndex.current = to;
      return list[to]?.id;
    });
  };

  // Roving focus: the selected row has the focus (so Enter clicks it and it scrolls into view);
  // the reader and empty states keep it on the root so the keys still work.
  // A layout effect, run right after each render: a deferred one could focus the row of an older
  // render after quick keys, and that row's focus handler would move the selection back.
  const focusCurrent = () => {
    const rowsInDom = root.current ? [...root.current.querySelectorAll<HTMLElement>('[data-row]')] : [];
    const row = !reader && current ? rowsInDom.find((el) => el.dataset.row === current.id) : undefined;
    (row ?? root.current)?.focus();
  };
  useLayoutEffect(focusCurrent, [current?.id, reader === undefined, navigated]);
  // A focused control that went away (a row's action, "and 47 more" once expanded) leaves the
  // focus on the page's body, where no key reaches the popup: it comes back here.
  useLayoutEffect(() => {
    const doc = root.current?.ownerDocument;
    if (doc && (!doc.activeElement || doc.activeElement === doc.body)) focusCurrent();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    const intent = keyIntent(event);
    if (!intent) return;
    const target = reader ? { accountId: reader.accountId, preview: reader.preview } : current;
    const webmail = reader ? reader.webmailUrl : accounts.find((a) => a.id === current?.accountId)?.webmailUrl;
    switch (intent) {
      case 'next':
      case 'prev':
        if (reader || rows.length === 0) return;
        move(intent === 'next' ? 1 : -1);
        break;
      case 'open':
        // Enter on a focused button clicks that button by itself.
        if (reader || !current || (event.key === 'Enter' && event.target !== root.current)) return;
        on.open(current.accountId, current.preview);
        break;
      case 'back':
        if (!reader) return;
        on.back();
        break;
      case 'toggle-seen':
        if (!target) return;
        on.setSeen(target.accountId, keyOf(target.preview), !(reader ? reader.seen : target.preview.seen));
        break;
      case 'archive':
        if (!target) return;
        on.archive(target.accountId, keyOf(target.preview));
        break;
      case 'delete':
        if (!target) return;
        on.remove(target.accountId, keyOf(target.preview));
        break;
      case 'webmail':
        if (!webmail) return;
        on.openWebmail(webmail);
        break;
    }
    event.preventDefault();
  };

  return (
    <div class="popup" ref={root} tabIndex={-1} onKeyDown={onKeyDown} aria-label={t('popupLabel')}>
      {view.notice && (
        <div class="notice attention dismissible" role="alert">
          <p>{view.notice}</p>
          <button type="button" class="icon-button" onClick={on.dismissNotice} aria-label={t('dismissNotice')}>
            ×
          </button>
        </div>
      )}
      {reader ? (
        <MessageView
          reader={reader}
          onBack={on.back}
          onToggleSeen={() => on.setSeen(reader.accountId, keyOf(reader.preview), !reader.seen)}
          onArchive={() => on.archive(reader.accountId, keyOf(reader.preview))}
          onDelete={() => on.remove(reader.accountId, keyOf(reader.preview))}
          onOpenWebmail={on.openWebmail}
        />
      ) : (
        <>
          <header class="top">
            <h1>{t('popupTitle')}</h1>
            <button type="button" class="link" onClick={on.openSettings}>
              {t('settings')}
            </button>
          </header>
          {status.kind !== 'ok' && (!showList || status.kind === 'helper-down') && (
            <StatePanel status={status} onOpenSettings={on.openSettings} onRetry={on.retry} />
          )}
          {showList && status.kind === 'helper-down' && <p class="meta">{t('offlineNote')}</p>}
          {showList && status.kind === 'connecting' && <p class="meta">{t('connectingNote')}</p>}
          {showList && (rows.length === 0 && accounts.every((a) => HEALTHY.includes(a.state)) ? (
            <div class="all-read" role="status">
              <Icon name="done" />
              <p class="title">{t('noUnreadMail')}</p>
              <p class="meta">{t('allCaughtUp')}</p>
            </div>
          ) : (
            <MessageList
              accounts={accounts}
              selected={current?.id}
              now={now}
              onOpen={on.open}
              onSelect={setSelected}
              onSetSeen={on.setSeen}
              onArchive={on.archive}
              onDelete={on.remove}
              onMarkAllRead={on.markAllRead}
              onRetryLogin={on.retryLogin}
              onOpenWebmail={on.openWebmail}
              onOpenSettings={on.openSettings}
            />
          ))}
        </>
      )}
      <footer class="help" aria-label={t('keyHelpLabel')}>
        {t('keyHelp')}
      </footer>
    </div>
  );
}
