/** The settings page: pairing, accounts, preferences. Props in, intents out (async, answered in words). */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_HELPER_PORT, type AccountStatus, type NewAccount } from '../protocol';
import type { UiSnapshot } from '../extension/bridge';
import { HELPER_COMMANDS, startHelperHint } from '../extension/connection';
import { t } from '../extension/i18n';
import type { Settings as SettingsValues } from '../extension/settings';
import type { ConnectionPhase } from '../extension/state';
import { AccountCard, type AccountIntents } from './AccountCard';
import { AccountForm } from './AccountForm';
import { rich } from './rich';
import { Outcome, useAction } from './useAction';

export interface SettingsIntents extends AccountIntents {
  pair(address: string, code: string): Promise<void>;
  unpair(): Promise<void>;
  addAccount(account: NewAccount): Promise<AccountStatus>;
  saveSettings(change: Partial<SettingsValues>): Promise<void>;
}

interface Props {
  snapshot: UiSnapshot | undefined;
  now: number;
  on: SettingsIntents;
}

/** Where the link stands, in words, for a browser that is paired (or was). */
function pairedText(connection: ConnectionPhase, address: string, helperVersion: string | undefined): { text: string; attention: boolean } {
  switch (connection.phase) {
    case 'connected':
      return { text: helperVersion ? t('pairedWithVersion', address, helperVersion) : t('pairedWith', address), attention: false };
    case 'connecting':
      return { text: t('pairedConnecting', address), attention: false };
    case 'helper-down':
      return { text: `${t('pairedHelperDown', address)} ${startHelperHint()}`, attention: true };
    case 'version-mismatch':
      return { text: connection.message, attention: true };
    case 'not-paired':
      return { text: connection.reason ?? t('notPaired'), attention: true };
  }
}

/** Before pairing: what the helper is doing, and what to do. */
function unpairedText(connection: ConnectionPhase, address: string): { text: string; attention: boolean } {
  switch (connection.phase) {
    case 'helper-down':
      return { text: `${t('helperDownAt', address)} ${startHelperHint()}`, attention: true };
    case 'connecting':
      return { text: t('lookingForHelper', address), attention: false };
    case 'version-mismatch':
      return { text: connection.message, attention: true };
    default:
      return { text: `${t('helperRunningAt', address)} ${connection.phase === 'not-paired' && connection.reason ? connection.reason : t('pairWithCode')}`, attention: true };
  }
}

function ConnectionSection({ snapshot, on }: { snapshot: UiSnapshot; on: SettingsIntents }) {
  const { state, settings, paired } = snapshot;
  const [address, setAddress] = useState(settings.helperAddress);
  const [code, setCode] = useState('');
  const [editingAddress, setEditingAddress] = useState(false);
  const action = useAction();
  useEffect(() => setAddress(settings.helperAddress), [settings.helperAddress]);
  const shown = displayAddress(settings.helperAddress);

  const pair = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => on.pair(address, code), () => t('pairedDone'))) setCode('');
  };
  const saveAddress = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => on.saveSettings({ helperAddress: address }), () => t('addressSaved'))) setEditingAddress(false);
  };
  const addressField = (
    <label>
      {t('helperAddress')}
      <input value={address} onInput={(e) => setAddress(e.currentTarget.value)} spellcheck={false} placeholder={`127.0.0.1:${DEFAULT_HELPER_PORT}`} dir="ltr" />
    </label>
  );

  if (paired) {
    const phase = pairedText(state.connection, shown, state.helperVersion);
    return (
      <section aria-labelledby="connection-title">
        <h2 id="connection-title">{t('helperConnection')}</h2>
        <div class="card">
          <p class={phase.attention ? 'notice attention' : 'state'} role="status" dir="auto">
            {phase.text}
          </p>
          {editingAddress ? (
            <form class="row" onSubmit={saveAddress} aria-label={t('changeAddressForm')}>
              {addressField}
              <button type="submit" disabled={action.busy || address === settings.helperAddress}>
                {t('saveAddress')}
              </button>
              <button type="button" onClick={() => setEditingAddress(false)}>
                {t('cancel')}
              </button>
            </form>
          ) : (
            <div class="row">
              <button type="button" onClick={() => setEditingAddress(true)}>
                {t('changeAddress')}
              </button>
              <button type="button" class="danger" disabled={action.busy} onClick={() => action.run(on.unpair, () => t('unpairedDone'))}>
                {t('unpair')}
              </button>
            </div>
          )}
          <p class="meta">{rich('pairAnotherBrowser', <code>{HELPER_COMMANDS.pair}</code>)}</p>
          <Outcome state={action} />
        </div>
      </section>
    );
  }

  const phase = unpairedText(state.connection, shown);
  return (
    <section aria-labelledby="connection-title">
      <h2 id="connection-title">{t('helperConnection')}</h2>
      <p class={phase.attention ? 'notice attention' : 'state'} role="status" dir="auto">
        {phase.text}
      </p>
      <form class="card" onSubmit={pair} aria-label={t('pairForm')}>
        <p class="meta">{rich('pairHow', <code>{HELPER_COMMANDS.start}</code>, <code>{HELPER_COMMANDS.pair}</code>)}</p>
        {addressField}
        <label>
          {t('pairingCode')}
          <input value={code} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="off" spellcheck={false} placeholder={PAIRING_CODE_SHAPE} dir="ltr" />
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={action.busy || code.trim() === ''}>
            {t('pair')}
          </button>
        </div>
        <Outcome state={action} />
      </form>
    </section>
  );
}

/** What a pairing code looks like (the helper prints one like it). */
const PAIRING_CODE_SHAPE = 'ABCD-EFGH';

/** The address as the helper prints it (host:port), without the implied scheme. */
function displayAddress(address: string): string {
  return address.replace(/^ws:\/\//, '');
}

function PreferencesSection({ snapshot, on }: { snapshot: UiSnapshot; on: SettingsIntents }) {
  const { settings, notificationsSupported } = snapshot;
  const action = useAction();
  const save = (change: Partial<SettingsValues>) => action.run(() => on.saveSettings(change), () => t('saved'));
  const quiet = settings.quietHours;
  return (
    <section aria-labelledby="preferences-title">
      <h2 id="preferences-title">{t('preferences')}</h2>
      <div class="card">
        <label class="check">
          <input
            type="checkbox"
            checked={notificationsSupported && settings.notifications}
            disabled={!notificationsSupported}
            onChange={(e) => save({ notifications: e.currentTarget.checked })}
          />{' '}
          {t('notifyNewMail')}
        </label>
        {!notificationsSupported && (
          <p class="meta" role="note">
            {t('noNotificationsHere')}
          </p>
        )}
        <fieldset>
          <legend>{t('quietHoursLegend')}</legend>
          <label class="check">
            <input type="checkbox" checked={quiet.enabled} onChange={(e) => save({ quietHours: { ...quiet, enabled: e.currentTarget.checked } })} /> {t('useQuietHours')}
          </label>
          <div class="row">
            <label>
              {t('quietFrom')}
              <input type="time" value={quiet.start} onChange={(e) => save({ quietHours: { ...quiet, start: e.currentTarget.value } })} />
            </label>
            <label>
              {t('quietTo')}
              <input type="time" value={quiet.end} onChange={(e) => save({ quietHours: { ...quiet, end: e.currentTarget.value } })} />
            </label>
          </div>
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={settings.markReadOnOpen} onChange={(e) => save({ markReadOnOpen: e.currentTarget.checked })} /> {t('markReadOnOpen')}
        </label>
        <Outcome state={action} />
      </div>
    </section>
  );
}

function AccountsSection({ snapshot, now, on }: { snapshot: UiSnapshot; now: number; on: SettingsIntents }) {
  // A removed account's card goes away with its own messages: the word that it is gone stays here.
  const [removed, setRemoved] = useState<string | undefined>(undefined);
  const connected = snapshot.state.connection.phase === 'connected';
  const intents: SettingsIntents = {
    ...on,
    removeAccount: async (id) => {
      const label = snapshot.state.accounts.find((a) => a.status.id === id)?.status.label ?? id;
      await on.removeAccount(id);
      setRemoved(t('removedAccount', label));
    },
  };
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">{t('accounts')}</h2>
      {removed && (
        <p class="state" role="status">
          {removed}
        </p>
      )}
      {!connected && <p class="meta">{t('accountsNeedHelper')}</p>}
      {snapshot.state.accounts.map(({ status }) => (
        <AccountCard key={status.id} account={status} webmailUrl={snapshot.settings.webmailUrls[status.id] ?? ''} now={now} on={intents} />
      ))}
      {connected && snapshot.state.accounts.length === 0 && <p>{t('noAccountAddBelow')}</p>}
      {connected && <AccountForm onAdd={on.addAccount} />}
    </section>
  );
}

export function Settings({ snapshot, now, on }: Props) {
  if (!snapshot) {
    return (
      <main class="settings">
        <h1>{t('settingsTitle')}</h1>
        <p aria-live="polite">{t('loading')}</p>
      </main>
    );
  }
  return (
    <main class="settings">
      <h1>{t('settingsTitle')}</h1>
      <ConnectionSection snapshot={snapshot} on={on} />
      <AccountsSection snapshot={snapshot} now={now} on={on} />
      <PreferencesSection snapshot={snapshot} on={on} />
    </main>
  );
}
