/** What an app-specific password is and where to make one: iCloud refuses the Apple ID password for mail apps. */
import { t } from '../extension/i18n';
import { APP_PASSWORD_EXAMPLE } from '../extension/password';
import { rich } from './rich';

const APPLE_ACCOUNT_URL = 'https://account.apple.com';
/** A link's address as people say it: without the scheme. */
const shown = (url: string) => url.replace(/^https:\/\//, '');

export function AppPasswordHelp() {
  return (
    <details class="help-box">
      <summary>{t('appPasswordWhat')}</summary>
      <p>
        {rich(
          'appPasswordExplain',
          <em>{t('appPasswordTerm')}</em>,
          <a href={APPLE_ACCOUNT_URL} target="_blank" rel="noopener noreferrer">
            {shown(APPLE_ACCOUNT_URL)}
          </a>,
          <strong>{t('appPasswordPath')}</strong>,
          <code>{APP_PASSWORD_EXAMPLE}</code>,
        )}{' '}
        {rich(
          'appPasswordApple',
          <a href={t('appPasswordSupportUrl')} target="_blank" rel="noopener noreferrer">
            {shown(t('appPasswordSupportUrl'))}
          </a>,
        )}
      </p>
      <p>{t('appPasswordKept')}</p>
    </details>
  );
}
