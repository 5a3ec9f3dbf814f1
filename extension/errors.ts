/**
 * Errors whose message is written for the user and shown as it is (ours from the catalogue, the
 * helper's in its own words). Anything else gets a plain stand-in.
 */
import { t } from './i18n';

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function userMessage(error: unknown): string {
  return error instanceof UserError ? error.message : t('errorUnexpected');
}
