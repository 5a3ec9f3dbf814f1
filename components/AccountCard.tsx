/** One account in the settings: state, why, login log, and what the user can do about it. */
import { useState } from 'preact/hooks';
import type { AccountStatus, LoginLogEntry } from '../protocol';
import { fullDate, untilText } from '../extension/format';
import { APP_PASSWORD_SHAPE_MESSAGE, normalizeAppPassword } from '../extension/password';
import { AppPasswordHelp } from './AppPasswordHelp';
import { FolderSettings, type FolderIntents } from './FolderSettings';
import { Outcome, useAction } from './useAction';

export interface AccountIntents extends FolderIntents {
  removeAccount(id: string): Promise<void>;
  retryLogin(id: string): Promise<void>;
  loginLog(id: string): Promise<LoginLogEntry[]>;
  setPassword(id: string, password: string): Promise<void>;
  setPreviewCount(id: string, count: number): Promise<void>;
  setWebmailUrl(id: string, url: string): Promise<void>;
}

const STATE_WORDS: Record<AccountStatus['state'], string> = {
  connecting: 'Connecting',
  syncing: 'Syncing',
  idle: 'Connected, waiting for new mail',
  backoff: 'Waiting to reconnect',
  'auth-failed': 'Password rejected — action needed',
  paused: 'Paused',
  stopped: 'Stopped',
};

const OUTCOME_WORDS: Record<LoginLogEntry['outcome'], string> = {
  pending: 'In progress',
  success: 'Signed in',
  'auth-rejected': 'Password rejected',
  throttled: 'Held back (too many tries)',
  network: 'Network problem',
  server: 'Server problem',
  unknown: 'Cut short (no answer)',
};

export function LoginLogTable({ entries }: { entries: LoginLogEntry[] }) {
  if (entries.length === 0) return <p class="meta">No logins recorded yet.</p>;
  return (
    <table class="log">
      <caption>Login log, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Outcome</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {[...entries]
          .sort((a, b) => b.at - a.at)
          .map((entry, i) => (
            <tr key={i} class={entry.outcome === 'success' ? '' : 'attention'}>
              <td>{fullDate(entry.at)}</td>
              <td>{OUTCOME_WORDS[entry.outcome]}</td>
              <td>{entry.reason}</td>
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
    if (!secret) return action.fail(APP_PASSWORD_SHAPE_MESSAGE);
    setPassword('');
    void action.run(() => on.setPassword(account.id, secret), () => 'New password saved; the helper signs in with it now.');
  };

  return (
    <section class="card account" aria-label={`Account ${name}`}>
      <h3>{name}</h3>
      <p class="meta">
        {account.username} on {account.host} · {account.unreadCount} unread · password in {account.passwordStore === 'keychain' ? 'the system keychain' : account.passwordStore === 'file' ? 'a protected file' : 'nowhere yet'}
      </p>
      <p class={failed ? 'notice attention' : 'state'}>
        <strong>{STATE_WORDS[account.state]}.</strong> {account.stateReason}
        {account.until && account.until > now ? ` Next try ${untilText(account.until, now)}.` : ''}
      </p>
      <div class="row">
        {failed && (
          <button type="button" class="primary" disabled={action.busy} onClick={() => action.run(() => on.retryLogin(account.id), () => 'Trying to sign in again…')}>
            Retry login
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
          {log ? 'Hide login log' : 'Show login log'}
        </button>
        {confirmRemove ? (
          <>
            <button type="button" class="danger" onClick={() => action.run(() => on.removeAccount(account.id), () => `Removed ${name}.`)}>
              Yes, remove {name}
            </button>
            <button type="button" onClick={() => setConfirmRemove(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirmRemove(true)} aria-label={`Remove ${name}`}>
            Remove
          </button>
        )}
      </div>
      <Outcome state={action} />
      {log && <LoginLogTable entries={log} />}
      {failed && (
        <form class="stack" onSubmit={savePassword} aria-label={`New password for ${name}`}>
          <label>
            {account.kind === 'icloud' ? 'New app-specific password' : 'New password'}
            <input type="password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="new-password" spellcheck={false} />
          </label>
          {account.kind === 'icloud' && <AppPasswordHelp />}
          <button type="submit">Save password and sign in</button>
        </form>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(() => on.setPreviewCount(account.id, Number(count)), () => `Keeping ${count} previews.`);
        }}
      >
        <label>
          Previews kept (1–500)
          <input type="number" min={1} max={500} required value={count} placeholder="50" onInput={(e) => setCount(e.currentTarget.value)} />
        </label>
        <button type="submit" aria-label={`Save previews kept for ${name}`}>
          Save
        </button>
      </form>
      <FolderSettings account={account} on={on} />
      {account.kind === 'imap' && !account.webmailUrl && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => on.setWebmailUrl(account.id, link), () => (link.trim() ? 'Webmail link saved.' : 'Webmail link removed.'));
          }}
        >
          <label>
            Webmail link (optional)
            <input type="url" value={link} placeholder="https://mail.example.com" onInput={(e) => setLink(e.currentTarget.value)} />
          </label>
          <button type="submit" aria-label={`Save webmail link for ${name}`}>
            Save
          </button>
        </form>
      )}
    </section>
  );
}
