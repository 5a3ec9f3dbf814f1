/** The popup's full-size states that need the user: each says what to do next and leads to the settings. */
import type { PopupStatus } from '../extension/popup-model';

interface Props {
  status: Exclude<PopupStatus, { kind: 'ok' }>;
  onOpenSettings: () => void;
  onRetry: () => void;
}

export function StatePanel({ status, onOpenSettings, onRetry }: Props) {
  const settingsButton = (label: string) => (
    <button type="button" class="primary" onClick={onOpenSettings}>
      {label}
    </button>
  );
  switch (status.kind) {
    case 'loading':
    case 'connecting':
      return (
        <section class="panel" aria-live="polite">
          <p>Connecting to the helper…</p>
        </section>
      );
    case 'helper-down':
      return (
        <section class="panel" role="alert">
          <h2>The helper is not running</h2>
          <p>
            Mail comes through a small helper program on this computer. Start it from the project folder with <code>npm start</code> (or{' '}
            <code>npm run helper start</code>), then try again.
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={onRetry}>
              Try again
            </button>
            <button type="button" onClick={onOpenSettings}>
              Settings
            </button>
          </div>
        </section>
      );
    case 'not-paired':
      return (
        <section class="panel" role="alert">
          <h2>Not paired with the helper</h2>
          <p>{status.reason ?? 'This browser needs a one-time pairing code from the helper before it can show mail.'}</p>
          {settingsButton('Pair in settings')}
        </section>
      );
    case 'version-mismatch':
      return (
        <section class="panel" role="alert">
          <h2>Update needed</h2>
          <p>{status.message}</p>
          {settingsButton('Open settings')}
        </section>
      );
    case 'no-accounts':
      return (
        <section class="panel">
          <h2>No mail account yet</h2>
          <p>Add your iCloud or other IMAP account in the settings.</p>
          {settingsButton('Add an account')}
        </section>
      );
  }
}
