import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { HOSTILE_MAIL, hostileMail } from './scenarios/hostile-mail';

describe('chaos 8: hostile mail', () => {
  it('no malformed message crashes or stalls the session, and previews and bodies are plain text', async () => {
    const result = await hostileMail(HOSTILE_MAIL.short, 'chaos-hostile-mail');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
