/**
 * Unread previews, grouped by account, newest first. A row shows the sender's name *and* address
 * (a display name can claim to be anyone), the subject and the start of the text; its actions
 * (read, archive, delete) appear on hover, on focus and on the selected row.
 */
import { useId } from 'preact/hooks';
import { keyOf, messageKeyString, type MessageKey, type Preview } from '../protocol';
import { accountHue, compactAddress, displayName, initialOf, relativeDate, senderName, untilText } from '../extension/format';
import { formatNumber, plural, t } from '../extension/i18n';
import type { PopupAccount } from '../extension/popup-model';
import { withoutBidiControls } from '../extension/text';
import { Icon } from './icons';
import { MailText } from './MailText';

export const rowId = (accountId: string, preview: Preview) => `${accountId}\u0000${messageKeyString(preview.key)}`;

export interface RowIntents {
  onOpen: (accountId: string, preview: Preview) => void;
  onSelect: (id: string) => void;
  onSetSeen: (accountId: string, key: MessageKey, seen: boolean) => void;
  onArchive: (accountId: string, key: MessageKey) => void;
  onDelete: (accountId: string, key: MessageKey) => void;
}

interface Props extends RowIntents {
  accounts: PopupAccount[];
  selected: string | undefined;
  now: number;
  onMarkAllRead: (accountId: string) => void;
  onRetryLogin: (accountId: string) => void;
  onOpenWebmail: (url: string) => void;
  onOpenSettings: () => void;
}

/** What a row is called: the sender and the subject, the same words a screen reader reads. */
export function subjectText(preview: Pick<Preview, 'subject'>): string {
  return withoutBidiControls(preview.subject).trim() || t('noSubject');
}

function AccountNotice({ account, now, onRetryLogin, onOpenSettings }: { account: PopupAccount; now: number; onRetryLogin: (id: string) => void; onOpenSettings: () => void }) {
  if (account.state === 'auth-failed') {
    return (
      <div class="notice attention" role="alert">
        <p>
          <strong>{t('signInStopped')}</strong>
        </p>
        {/* The helper says which it was (a rejected password or a login cut short) and what now, in its own words. */}
        {account.stateReason ? <p dir="auto">{account.stateReason}</p> : <p>{t('signInStoppedWhy')}</p>}
        <div class="row">
          <button type="button" class="primary" disabled={account.retrying} onClick={() => onRetryLogin(account.id)}>
            {account.retrying ? t('signingIn') : t('retryLogin')}
          </button>
          <button type="button" onClick={onOpenSettings}>
            {t('fixInSettings')}
          </button>
        </div>
      </div>
    );
  }
  if (account.state === 'backoff' || account.state === 'paused' || account.state === 'stopped') {
    return (
      <p class="notice waiting">
        <strong>{account.state === 'stopped' ? t('accountStopped') : t('accountPaused')}</strong> {account.stateReason ?? ''}
        {account.until && account.until > now ? ` ${t('nextTry', untilText(account.until, now))}` : ''}
      </p>
    );
  }
  return null;
}

function Row({ accountId, preview, selected, now, on }: { accountId: string; preview: Preview; selected: boolean; now: number; on: RowIntents }) {
  const id = rowId(accountId, preview);
  const from = withoutBidiControls(senderName(preview.from));
  const subject = subjectText(preview);
  const name = displayName(preview.from);
  const address = preview.from.address?.trim();
  const key = keyOf(preview);
  // The row's key holds NUL separators, which make no usable id.
  const addressId = useId();
  // The row's actions are reached by Tab from the selected row only; elsewhere the keys act on it.
  const tab = selected ? 0 : -1;
  return (
    <li class={`row${selected ? ' selected' : ''}${preview.seen ? '' : ' unread'}`}>
      <button
        type="button"
        class="message"
        aria-current={selected ? 'true' : undefined}
        aria-label={t('rowLabel', from, subject)}
        aria-describedby={addressId}
        data-row={id}
        onClick={() => on.onOpen(accountId, preview)}
        onFocus={() => on.onSelect(id)}
      >
        <span class="avatar" aria-hidden="true">
          {initialOf(preview.from)}
        </span>
        <span class="content">
          <span class="line">
            <span class="dot" aria-hidden="true" />
            {name && (
              <bdi class="from">
                <MailText text={name} />
              </bdi>
            )}
            <bdi class={name ? 'address' : 'address from'} id={addressId}>
              {address ? compactAddress(address) : preview.fromCut ? t('addressNotRead') : name ? '' : t('unknownSender')}
            </bdi>
          </span>
          <span class="line">
            {(preview.subjectCut || preview.fromCut) && <span class="cut-tag">{t('cutTag')}</span>}
            <bdi class="subject">
              <MailText text={preview.subject.trim() || t('noSubject')} />
            </bdi>
            <time dateTime={new Date(preview.date).toISOString()}>{relativeDate(preview.date, now)}</time>
          </span>
          {preview.snippet && (
            <bdi class="snippet">
              <MailText text={preview.snippet} />
            </bdi>
          )}
        </span>
      </button>
      <span class="row-actions" role="group" aria-label={t('rowActions', subject)}>
        <button
          type="button"
          class="icon-button"
          tabIndex={tab}
          aria-label={preview.seen ? t('markUnreadRow', subject) : t('markReadRow', subject)}
          title={preview.seen ? t('markUnread') : t('markRead')}
          onClick={() => on.onSetSeen(accountId, key, !preview.seen)}
        >
          <Icon name={preview.seen ? 'unread' : 'check'} />
        </button>
        <button type="button" class="icon-button" tabIndex={tab} aria-label={t('archiveRow', subject)} title={t('archive')} onClick={() => on.onArchive(accountId, key)}>
          <Icon name="archive" />
        </button>
        <button type="button" class="icon-button danger" tabIndex={tab} aria-label={t('deleteRow', subject)} title={t('delete')} onClick={() => on.onDelete(accountId, key)}>
          <Icon name="trash" />
        </button>
      </span>
    </li>
  );
}

export function MessageList({ accounts, selected, now, onMarkAllRead, onRetryLogin, onOpenWebmail, onOpenSettings, ...on }: Props) {
  return (
    <div class="groups">
      {accounts.map((account) => (
        <section class="group" key={account.id} aria-label={plural('accountUnread', account.unreadCount, account.label)} style={`--hue: ${accountHue(account.id)}`}>
          <header class="group-head">
            <span class="account-chip" aria-hidden="true" />
            <h2>
              <bdi>{account.label}</bdi> <span class="count">{formatNumber(account.unreadCount)}</span>
            </h2>
            {account.webmailUrl && (
              <button type="button" class="link" onClick={() => onOpenWebmail(account.webmailUrl!)} aria-label={t('openAccountInWebmail', account.label)}>
                {t('webmail')}
              </button>
            )}
            {account.unreadCount > 0 && (
              <button type="button" class="link" onClick={() => onMarkAllRead(account.id)} aria-label={t('markAllReadIn', account.label)}>
                {t('markAllRead')}
              </button>
            )}
          </header>
          <AccountNotice account={account} now={now} onRetryLogin={onRetryLogin} onOpenSettings={onOpenSettings} />
          {account.previews.length === 0 ? (
            account.state !== 'auth-failed' && <p class="empty">{t('noUnreadMail')}</p>
          ) : (
            <ul class="messages">
              {account.previews.map((preview) => (
                <Row key={rowId(account.id, preview)} accountId={account.id} preview={preview} selected={rowId(account.id, preview) === selected} now={now} on={on} />
              ))}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
