/** The popup's full-size states that need the user: each says what to do next and leads to the settings. */
import { HELPER_COMMANDS } from '../extension/connection';
import { t } from '../extension/i18n';
import type { PopupStatus } from '../extension/popup-model';
import { rich } from './rich';

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
          <p>{t('connectingToHelper')}</p>
        </section>
      );
    case 'helper-down':
      return (
        <section class="panel" role="alert">
          <h2>{t('helperNotRunning')}</h2>
          <p>{rich('helperNotRunningHow', <code>{HELPER_COMMANDS.start}</code>, <code>{HELPER_COMMANDS.startHelper}</code>)}</p>
          <div class="row">
            <button type="button" class="primary" onClick={onRetry}>
              {t('tryAgain')}
            </button>
            <button type="button" onClick={onOpenSettings}>
              {t('settings')}
            </button>
          </div>
        </section>
      );
    case 'not-paired':
      return (
        <section class="panel" role="alert">
          <h2>{t('notPairedTitle')}</h2>
          <p>{status.reason ?? t('notPairedWhy')}</p>
          {settingsButton(t('pairInSettings'))}
        </section>
      );
    case 'version-mismatch':
      return (
        <section class="panel" role="alert">
          <h2>{t('updateNeeded')}</h2>
          <p>{status.message}</p>
          {settingsButton(t('openSettings'))}
        </section>
      );
    case 'no-accounts':
      return (
        <section class="panel">
          <h2>{t('noAccountTitle')}</h2>
          <p>{t('noAccountHow')}</p>
          {settingsButton(t('addAnAccount'))}
        </section>
      );
  }
}
