/** "Add an account": iCloud preset or any IMAP server. The password only lives in this form until sent. */
import { useState } from 'preact/hooks';
import type { AccountStatus, NewAccount } from '../protocol';
import { APP_PASSWORD_SHAPE_MESSAGE, normalizeAppPassword } from '../extension/password';
import { AppPasswordHelp } from './AppPasswordHelp';
import { Outcome, useAction } from './useAction';

export const ICLOUD_IMAP = { host: 'imap.mail.me.com', port: 993, tls: true } as const;

interface Props {
  onAdd: (account: NewAccount) => Promise<AccountStatus>;
}

export function AccountForm({ onAdd }: Props) {
  const [kind, setKind] = useState<'icloud' | 'imap'>('icloud');
  const [label, setLabel] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('993');
  const [tls, setTls] = useState(true);
  const [allowUnencrypted, setAllowUnencrypted] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    let secret = password;
    if (kind === 'icloud') {
      const normalized = normalizeAppPassword(password);
      if (!normalized) return action.fail(APP_PASSWORD_SHAPE_MESSAGE);
      secret = normalized;
    }
    const portNumber = kind === 'icloud' ? ICLOUD_IMAP.port : Number(port);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return action.fail('The port is a number from 1 to 65535 (usually 993).');
    const account: NewAccount = {
      kind,
      ...(label.trim() ? { label: label.trim() } : {}),
      host: kind === 'icloud' ? ICLOUD_IMAP.host : host.trim(),
      port: portNumber,
      tls: kind === 'icloud' ? ICLOUD_IMAP.tls : tls,
      ...(kind === 'imap' && !tls && allowUnencrypted ? { allowUnencrypted: true } : {}),
      username: username.trim(),
      password: secret,
    };
    // Cleared as soon as it is handed over, whatever the answer: it is not kept anywhere here.
    setPassword('');
    const ok = await action.run(() => onAdd(account), (status) => `Signed in and saved "${status.label}". New mail will show on the badge.`);
    if (ok) {
      setLabel('');
      setUsername('');
    }
  };

  return (
    <form class="card" onSubmit={submit} aria-label="Add an account">
      <h3>Add an account</h3>
      <fieldset class="row">
        <legend>Kind of account</legend>
        <label class="check">
          <input type="radio" name="kind" value="icloud" checked={kind === 'icloud'} onChange={() => setKind('icloud')} /> iCloud
        </label>
        <label class="check">
          <input type="radio" name="kind" value="imap" checked={kind === 'imap'} onChange={() => setKind('imap')} /> Other IMAP server
        </label>
      </fieldset>
      <label>
        Name shown in the popup (optional)
        <input value={label} onInput={(e) => setLabel(e.currentTarget.value)} placeholder={kind === 'icloud' ? 'iCloud' : 'Work'} />
      </label>
      {kind === 'imap' && (
        <div class="grid">
          <label>
            IMAP server
            <input required value={host} onInput={(e) => setHost(e.currentTarget.value)} placeholder="imap.example.com" autocomplete="off" />
          </label>
          <label>
            Port
            <input required inputMode="numeric" value={port} onInput={(e) => setPort(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={tls} onChange={(e) => setTls(e.currentTarget.checked)} /> TLS (encrypted connection)
          </label>
          {!tls && (
            <label class="check">
              <input type="checkbox" checked={allowUnencrypted} onChange={(e) => setAllowUnencrypted(e.currentTarget.checked)} /> Allow an unencrypted
              connection if the server offers no STARTTLS. Warning: anyone on the network path can then read your password and your mail.
            </label>
          )}
        </div>
      )}
      {kind === 'icloud' && (
        <p class="meta">
          Server {ICLOUD_IMAP.host}, port {ICLOUD_IMAP.port}, TLS.
        </p>
      )}
      <label>
        {kind === 'icloud' ? 'iCloud email address' : 'User name'}
        <input
          required
          inputMode={kind === 'icloud' ? 'email' : 'text'}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          placeholder={kind === 'icloud' ? 'you@icloud.com' : ''}
          autocomplete="off"
        />
      </label>
      <label>
        {kind === 'icloud' ? 'App-specific password' : 'Password'}
        <input
          required
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          placeholder={kind === 'icloud' ? 'abcd-efgh-ijkl-mnop' : ''}
          autocomplete="new-password"
          spellcheck={false}
        />
      </label>
      {kind === 'icloud' && <AppPasswordHelp />}
      <button type="submit" class="primary" disabled={action.busy}>
        {action.busy ? 'Testing…' : 'Test and save'}
      </button>
      <Outcome state={action} />
    </form>
  );
}
