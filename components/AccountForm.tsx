/** "Add an account": iCloud preset or any IMAP server. The password only lives in this form until sent. */
import { useState } from 'preact/hooks';
import type { AccountStatus, NewAccount } from '../protocol';
import { formatNumber, t } from '../extension/i18n';
import { APP_PASSWORD_EXAMPLE, appPasswordShapeMessage, normalizeAppPassword } from '../extension/password';
import { AppPasswordHelp } from './AppPasswordHelp';
import { rich } from './rich';
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
      if (!normalized) return action.fail(appPasswordShapeMessage());
      secret = normalized;
    }
    const portNumber = kind === 'icloud' ? ICLOUD_IMAP.port : Number(port);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return action.fail(t('portInvalid'));
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
    const ok = await action.run(() => onAdd(account), (status) => t('accountAdded', status.label));
    if (ok) {
      setLabel('');
      setUsername('');
    }
  };

  return (
    <form class="card" onSubmit={submit} aria-label={t('addAnAccount')}>
      <h3>{t('addAnAccount')}</h3>
      <fieldset class="row">
        <legend>{t('accountKind')}</legend>
        <label class="check">
          <input type="radio" name="kind" value="icloud" checked={kind === 'icloud'} onChange={() => setKind('icloud')} /> {t('kindICloud')}
        </label>
        <label class="check">
          <input type="radio" name="kind" value="imap" checked={kind === 'imap'} onChange={() => setKind('imap')} /> {t('kindOtherImap')}
        </label>
      </fieldset>
      <label>
        {t('accountLabelField')}
        <input value={label} onInput={(e) => setLabel(e.currentTarget.value)} placeholder={kind === 'icloud' ? t('kindICloud') : t('accountLabelExample')} />
      </label>
      {kind === 'imap' && (
        <div class="grid">
          <label>
            {t('imapServer')}
            <input required value={host} onInput={(e) => setHost(e.currentTarget.value)} placeholder={t('imapServerExample')} autocomplete="off" dir="ltr" />
          </label>
          <label>
            {t('port')}
            <input required inputMode="numeric" value={port} onInput={(e) => setPort(e.currentTarget.value)} dir="ltr" />
          </label>
          <label class="check">
            <input type="checkbox" checked={tls} onChange={(e) => setTls(e.currentTarget.checked)} /> {t('tlsField')}
          </label>
          {!tls && (
            <label class="check">
              <input type="checkbox" checked={allowUnencrypted} onChange={(e) => setAllowUnencrypted(e.currentTarget.checked)} /> {t('allowUnencrypted')}
            </label>
          )}
        </div>
      )}
      {kind === 'icloud' && <p class="meta">{rich('icloudPreset', <bdi>{ICLOUD_IMAP.host}</bdi>, formatNumber(ICLOUD_IMAP.port))}</p>}
      <label>
        {kind === 'icloud' ? t('icloudAddress') : t('userName')}
        <input
          required
          inputMode={kind === 'icloud' ? 'email' : 'text'}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          placeholder={kind === 'icloud' ? t('icloudAddressExample') : ''}
          autocomplete="off"
          dir="ltr"
        />
      </label>
      <label>
        {kind === 'icloud' ? t('appPasswordField') : t('password')}
        <input
          required
          type="password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          placeholder={kind === 'icloud' ? APP_PASSWORD_EXAMPLE : ''}
          dir="ltr"
          autocomplete="new-password"
          spellcheck={false}
        />
      </label>
      {kind === 'icloud' && <AppPasswordHelp />}
      <button type="submit" class="primary" disabled={action.busy}>
        {action.busy ? t('testing') : t('testAndSave')}
      </button>
      <Outcome state={action} />
    </form>
  );
}
