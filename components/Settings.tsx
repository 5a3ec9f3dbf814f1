/** The settings page: pairing, accounts, preferences. Props in, intents out (async, answered in words). */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_HELPER_PORT, type AccountStatus, type NewAccount } from '../protocol';
import type { UiSnapshot } from '../extension/bridge';
import { START_HELPER_HINT } from '../extension/connection';
import type { Settings as SettingsValues } from '../extension/settings';
import type { ConnectionPhase } from '../extension/state';
import { AccountCard, type AccountIntents } from './AccountCard';
import { AccountForm } from './AccountForm';
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
  const version = helperVersion ? ` (helper ${helperVersion})` : '';
  switch (connection.phase) {
    case 'connected':
      return { text: `Paired with the helper at ${address}${version}.`, attention: false };
    case 'connecting':
      return { text: `Paired with the helper at ${address}; connecting…`, attention: false };
    case 'helper-down':
      return { text: `Paired with the helper at ${address}, which is not running. ${START_HELPER_HINT}`, attention: true };
    case 'version-mismatch':
      return { text: connection.message, attention: true };
    case 'not-paired':
      return { text: connection.reason ?? 'Not paired.', attention: true };
  }
}

/** Before pairing: what the helper is doing, and what to do. */
function unpairedText(connection: ConnectionPhase, address: string): { text: string; attention: boolean } {
  switch (connection.phase) {
    case 'helper-down':
      return { text: `The helper is not running at ${address}. ${START_HELPER_HINT}`, attention: true };
    case 'connecting':
      return { text: `Looking for the helper at ${address}…`, attention: false };
    case 'version-mismatch':
      return { text: connection.message, attention: true };
    default:
      return { text: `The helper is running at ${address}. ${connection.phase === 'not-paired' && connection.reason ? connection.reason : 'Pair this browser with the code it printed.'}`, attention: true };
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
    if (await action.run(() => on.pair(address, code), () => 'Paired.')) setCode('');
  };
  const saveAddress = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => on.saveSettings({ helperAddress: address }), () => 'Address saved.')) setEditingAddress(false);
  };
  const addressField = (
    <label>
      Helper address
      <input value={address} onInput={(e) => setAddress(e.currentTarget.value)} spellcheck={false} placeholder={`127.0.0.1:${DEFAULT_HELPER_PORT}`} />
    </label>
  );

  if (paired) {
    const phase = pairedText(state.connection, shown, state.helperVersion);
    return (
      <section aria-labelledby="connection-title">
        <h2 id="connection-title">Helper connection</h2>
        <div class="card">
          <p class={phase.attention ? 'notice attention' : 'state'} role="status">
            {phase.text}
          </p>
          {editingAddress ? (
            <form class="row" onSubmit={saveAddress} aria-label="Change the helper address">
              {addressField}
              <button type="submit" disabled={action.busy || address === settings.helperAddress}>
                Save address
              </button>
              <button type="button" onClick={() => setEditingAddress(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <div class="row">
              <button type="button" onClick={() => setEditingAddress(true)}>
                Change address
              </button>
              <button type="button" class="danger" disabled={action.busy} onClick={() => action.run(on.unpair, () => 'Unpaired: the token and the cached previews are gone.')}>
                Unpair
              </button>
            </div>
          )}
          <p class="meta">
            To pair another browser, run <code>npm run helper pair</code> where the helper runs and type the new code in that browser.
          </p>
          <Outcome state={action} />
        </div>
      </section>
    );
  }

  const phase = unpairedText(state.connection, shown);
  return (
    <section aria-labelledby="connection-title">
      <h2 id="connection-title">Helper connection</h2>
      <p class={phase.attention ? 'notice attention' : 'state'} role="status">
        {phase.text}
      </p>
      <form class="card" onSubmit={pair} aria-label="Pair with the helper">
        <p class="meta">
          Start the helper with <code>npm start</code>; it prints its address and a one-time pairing code (<code>npm run helper pair</code> prints a new one). Type them here.
        </p>
        {addressField}
        <label>
          Pairing code
          <input value={code} onInput={(e) => setCode(e.currentTarget.value)} autocomplete="off" spellcheck={false} placeholder="ABCD-EFGH" />
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={action.busy || code.trim() === ''}>
            Pair
          </button>
        </div>
        <Outcome state={action} />
      </form>
    </section>
  );
}

/** The address as the helper prints it (host:port), without the implied scheme. */
function displayAddress(address: string): string {
  return address.replace(/^ws:\/\//, '');
}

function PreferencesSection({ snapshot, on }: { snapshot: UiSnapshot; on: SettingsIntents }) {
  const { settings, notificationsSupported } = snapshot;
  const action = useAction();
  const save = (change: Partial<SettingsValues>) => action.run(() => on.saveSettings(change), () => 'Saved.');
  const quiet = settings.quietHours;
  return (
    <section aria-labelledby="preferences-title">
      <h2 id="preferences-title">Preferences</h2>
      <div class="card">
        <label class="check">
          <input
            type="checkbox"
            checked={notificationsSupported && settings.notifications}
            disabled={!notificationsSupported}
            onChange={(e) => save({ notifications: e.currentTarget.checked })}
          />{' '}
          Notify me of new mail
        </label>
        {!notificationsSupported && (
          <p class="meta" role="note">
            This browser (Safari) has no notifications for extensions: new mail shows on the toolbar badge only.
          </p>
        )}
        <fieldset>
          <legend>Quiet hours (no notifications; the badge still counts)</legend>
          <label class="check">
            <input type="checkbox" checked={quiet.enabled} onChange={(e) => save({ quietHours: { ...quiet, enabled: e.currentTarget.checked } })} /> Use quiet
            hours
          </label>
          <div class="row">
            <label>
              From
              <input type="time" value={quiet.start} onChange={(e) => save({ quietHours: { ...quiet, start: e.currentTarget.value } })} />
            </label>
            <label>
              To
              <input type="time" value={quiet.end} onChange={(e) => save({ quietHours: { ...quiet, end: e.currentTarget.value } })} />
            </label>
          </div>
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={settings.markReadOnOpen} onChange={(e) => save({ markReadOnOpen: e.currentTarget.checked })} /> Mark a message read when I
          open it in the popup
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
      setRemoved(`Removed ${label}.`);
    },
  };
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts</h2>
      {removed && (
        <p class="state" role="status">
          {removed}
        </p>
      )}
      {!connected && <p class="meta">Accounts can be changed while the helper is running and paired.</p>}
      {snapshot.state.accounts.map(({ status }) => (
        <AccountCard key={status.id} account={status} webmailUrl={snapshot.settings.webmailUrls[status.id] ?? ''} now={now} on={intents} />
      ))}
      {connected && snapshot.state.accounts.length === 0 && <p>No account yet: add one below.</p>}
      {connected && <AccountForm onAdd={on.addAccount} />}
    </section>
  );
}

export function Settings({ snapshot, now, on }: Props) {
  if (!snapshot) {
    return (
      <main class="settings">
        <h1>Mail notifier settings</h1>
        <p aria-live="polite">Loading…</p>
      </main>
    );
  }
  return (
    <main class="settings">
      <h1>Mail notifier settings</h1>
      <ConnectionSection snapshot={snapshot} on={on} />
      <AccountsSection snapshot={snapshot} now={now} on={on} />
      <PreferencesSection snapshot={snapshot} on={on} />
    </main>
  );
}
