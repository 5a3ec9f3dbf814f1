import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { HOSTILE_MAIL, hostileMail } from './scenarios/hostile-mail';

describe('chaos 8: hostile mail', () => {
  it.each(['stock', 'icloud'] as const)(
    '%s Dovecot: no malformed message crashes or stalls the session, each costs a bounded read, previews and bodies are plain text',
    async (profile) => {
      const result = await hostileMail({ ...HOSTILE_MAIL.short, profile }, `chaos-hostile-mail-${profile}`);
      expect(failedChecks(result)).toEqual([]);
    },
    120_000,
  );
});
