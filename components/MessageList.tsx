/** Unread previews, grouped by account, newest first; one row per message. */
import { messageKeyString, type Preview } from '../protocol';
import { relativeDate, senderName, untilText } from '../extension/format';
import type { PopupAccount } from '../extension/popup-model';

export const rowId = (accountId: string, preview: Preview) => `${accountId}\u0000${messageKeyString(preview.key)}`;

interface Props {
  accounts: PopupAccount[];
  selected: string | undefined;
  now: number;
  onOpen: (accountId: string, preview: Preview) => void;
  onSelect: (id: string) => void;
  onMarkAllRead: (accountId: string) => void;
  onOpenWebmail: (url: string) => void;
  onOpenSettings: () => void;
}

function AccountNotice({ account, now, onOpenSettings }: { account: PopupAccount; now: number; onOpenSettings: () => void }) {
  if (account.state === 'auth-failed') {
    return (
      <div class="notice attention" role="alert">
        <p>
          <strong>Password rejected — action needed.</strong> {account.stateReason ?? 'The mail server refused the login.'} The helper will not try again by
          itself, so the account is not locked out: retry the login or enter a new app-specific password in the settings.
        </p>
        <button type="button" onClick={onOpenSettings}>
          Fix in settings
        </button>
      </div>
    );
  }
  if (account.state === 'backoff' || account.state === 'paused' || account.state === 'stopped') {
    const when = account.until && account.until > now ? ` Next try ${untilText(account.until, now)}.` : '';
    return (
      <p class="notice waiting">
        {account.state === 'stopped' ? 'Stopped.' : 'Paused.'} {account.stateReason ?? ''}
        {when}
      </p>
    );
  }
  return null;
}

export function MessageList({ accounts, selected, now, onOpen, onSelect, onMarkAllRead, onOpenWebmail, onOpenSettings }: Props) {
  return (
    <div class="groups">
      {accounts.map((account) => (
        <section class="group" key={account.id} aria-label={`${account.label}: ${account.unreadCount} unread`}>
          <header class="group-head">
            <h2>
              {account.label} <span class="count">{account.unreadCount}</span>
            </h2>
            {account.webmailUrl && (
              <button type="button" class="link" onClick={() => onOpenWebmail(account.webmailUrl!)} aria-label={`Open ${account.label} in webmail`}>
                Webmail
              </button>
            )}
            {account.unreadCount > 0 && (
              <button type="button" class="link" onClick={() => onMarkAllRead(account.id)} aria-label={`Mark all read in ${account.label}`}>
                Mark all read
              </button>
            )}
          </header>
          <AccountNotice account={account} now={now} onOpenSettings={onOpenSettings} />
          {account.previews.length === 0 ? (
            account.state !== 'auth-failed' && <p class="empty">No unread mail.</p>
          ) : (
            <ul class="messages">
              {account.previews.map((preview) => {
                const id = rowId(account.id, preview);
                const from = senderName(preview.from);
                const subject = preview.subject.trim() || '(no subject)';
                return (
                  <li key={id}>
                    <button
                      type="button"
                      class={`message${id === selected ? ' selected' : ''}${preview.seen ? '' : ' unread'}`}
                      aria-current={id === selected ? 'true' : undefined}
                      aria-label={`${from}: ${subject}`}
                      data-row={id}
                      onClick={() => onOpen(account.id, preview)}
                      onFocus={() => onSelect(id)}
                    >
                      <span class="line">
                        <span class="from">{from}</span>
                        <time dateTime={new Date(preview.date).toISOString()}>{relativeDate(preview.date, now)}</time>
                      </span>
                      <span class="subject">{subject}</span>
                      {preview.snippet && <span class="snippet">{preview.snippet}</span>}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
