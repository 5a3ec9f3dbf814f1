/** One account in the settings: state, why, login log, and what the user can do about it. */
import { useState } from 'preact/hooks';
import type { AccountStatus, LoginLogEntry } from '../protocol';
import { formatNumber, plural, t, type MessageName } from '../extension/i18n';
import { fullDate, untilText } from '../extension/format';
import { appPasswordShapeMessage, normalizeAppPassword } from '../extension/password';
import { AppPasswordHelp } from './AppPasswordHelp';
import { FolderSettings, type FolderIntents } from './FolderSettings';
import { rich } from './rich';
import { Outcome, useAction } from './useAction';

export interface AccountIntents extends FolderIntents {
  removeAccount(id: string): Promise<void>;
  retryLogin(id: string): Promise<void>;
  loginLog(id: string): Promise<LoginLogEntry[]>;
  setPassword(id: string, password: string): Promise<void>;
  setPreviewCount(id: string, count: number): Promise<void>;
  setWebmailUrl(id: string, url: string): Promise<void>;
}

/**
 * `auth-failed` is a rejected password *or* a login cut short before the server answered: the
 * words stay neutral, and the helper's reason (in its own words) says which.
 */
const STATE_WORDS: Record<AccountStatus['state'], MessageName> = {
  connecting: 'stateConnecting',
  syncing: 'stateSyncing',
  idle: 'stateIdle',
  backoff: 'stateBackoff',
  'auth-failed': 'signInStopped',
  paused: 'statePaused',
  stopped: 'stateStopped',
};

const OUTCOME_WORDS: Record<LoginLogEntry['outcome'], MessageName> = {
  pending: 'outcomePending',
  success: 'outcomeSuccess',
  'auth-rejected': 'outcomeRejected',
  throttled: 'outcomeThrottled',
  network: 'outcomeNetwork',
  server: 'outcomeServer',
  unknown: 'outcomeUnknown',
};

const PASSWORD_STORES: Record<AccountStatus['passwordStore'], MessageName> = {
  keychain: 'passwordInKeychain',
  file: 'passwordInFile',
  none: 'passwordNowhere',
};

export function LoginLogTable({ entries }: { entries: LoginLogEntry[] }) {
  if (entries.length === 0) return <p class="meta">{t('loginLogEmpty')}</p>;
  return (
    <table class="log">
      <caption>{t('loginLogCaption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('loginLogTime')}</th>
          <th scope="col">{t('loginLogOutcome')}</th>
          <th scope="col">{t('loginLogReason')}</th>
        </tr>
      </thead>
      <tbody>
        {[...entries]
          .sort((a, b) => b.at - a.at)
          .map((entry, i) => (
            <tr key={i} class={entry.outcome === 'success' ? '' : 'attention'}>
              <td>{fullDate(entry.at)}</td>
              <td>{t(OUTCOME_WORDS[entry.outcome])}</td>
              <td dir="auto">{entry.reason}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

interface Props {
  account: AccountStatus;
  /** The user's webmail link for non-iCloud accounts ('' for none). */
  webmailUrl: string;
  now: number;
  on: AccountIntents;
}

export function AccountCard({ account, webmailUrl, now, on }: Props) {
  const [log, setLog] = useState<LoginLogEntry[] | undefined>(undefined);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [password, setPassword] = useState('');
  // The helper does not report the current count, so the field starts empty.
  const [count, setCount] = useState(account.previewCount ? String(account.previewCount) : '');
  const [link, setLink] = useState(webmailUrl);
  const action = useAction();
  const name = account.label;
  const failed = account.state === 'auth-failed';

  const savePassword = (event: Event) => {
    event.preventDefault();
    const secret = account.kind === 'icloud' ? normalizeAppPassword(password) : password;
    if (!secret) return action.fail(appPasswordShapeMessage());
    setPassword('');
    void action.run(() => on.setPassword(account.id, secret), () => t('newPasswordSaved'));
  };

  return (
    <section class="card account" aria-label={t('accountCardLabel', name)}>
      <h3>
        <bdi>{name}</bdi>
      </h3>
      <p class="meta">
        {rich('accountWhere', <bdi>{account.username}</bdi>, <bdi>{account.host}</bdi>)} · {plural('unreadCount', account.unreadCount)} · {t(PASSWORD_STORES[account.passwordStore])}
      </p>
      <div class={failed ? 'notice attention' : 'state'}>
        <p>
          <strong>{t(STATE_WORDS[account.state])}</strong>
        </p>
        {account.stateReason && <p dir="auto">{account.stateReason}</p>}
        {account.until && account.until > now ? <p>{t('nextTry', untilText(account.until, now))}</p> : null}
      </div>
      <div class="row">
        {failed && (
          <button type="button" class="primary" disabled={action.busy} onClick={() => action.run(() => on.retryLogin(account.id), () => t('retryingLogin'))}>
            {t('retryLogin')}
          </button>
        )}
        <button
          type="button"
          aria-expanded={log !== undefined}
          onClick={() => {
            if (log) return setLog(undefined);
            void action.run(
              () => on.loginLog(account.id),
              (entries) => {
                setLog(entries);
                return undefined;
              },
            );
          }}
        >
          {log ? t('hideLoginLog') : t('showLoginLog')}
        </button>
        {confirmRemove ? (
          <>
            <button type="button" class="danger" onClick={() => action.run(() => on.removeAccount(account.id), () => t('removedAccount', name))}>
              {t('confirmRemove', name)}
            </button>
            <button type="button" onClick={() => setConfirmRemove(false)}>
              {t('keepIt')}
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirmRemove(true)} aria-label={t('removeAccount', name)}>
            {t('remove')}
          </button>
        )}
      </div>
      <Outcome state={action} />
      {log && <LoginLogTable entries={log} />}
      {failed && (
        <form class="stack" onSubmit={savePassword} aria-label={t('newPasswordFor', name)}>
          <label>
            {account.kind === 'icloud' ? t('newAppPassword') : t('newPassword')}
            <input type="password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" spellcheck={false} />
          </label>
          {account.kind === 'icloud' && <AppPasswordHelp />}
          <button type="submit">{t('savePasswordAndSignIn')}</button>
        </form>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(() => on.setPreviewCount(account.id, Number(count)), () => plural('keepingPreviews', Number(count)));
        }}
      >
        <label>
          {t('previewsKept', formatNumber(1), formatNumber(500))}
          <input type="number" min={1} max={500} required value={count} placeholder={formatNumber(50)} onInput={(e) => setCount(e.currentTarget.value)} />
        </label>
        <button type="submit" aria-label={t('savePreviewsFor', name)}>
          {t('save')}
        </button>
      </form>
      <FolderSettings account={account} on={on} />
      {account.kind === 'imap' && !account.webmailUrl && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => on.setWebmailUrl(account.id, link), () => (link.trim() ? t('webmailLinkSaved') : t('webmailLinkRemoved')));
          }}
        >
          <label>
            {t('webmailLinkLabel')}
            <input type="url" value={link} placeholder={t('webmailLinkExample')} onInput={(e) => setLink(e.currentTarget.value)} />
          </label>
          <button type="submit" aria-label={t('saveWebmailFor', name)}>
            {t('save')}
          </button>
        </form>
      )}
    </section>
  );
}
