import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { HOSTILE_CLIENTS, hostileClients } from './scenarios/hostile-clients';

describe('chaos 9: hostile local clients while mail arrives', () => {
  it('1,000 attempts get nothing but refusals and errors; the paired client keeps its latency', async () => {
    const result = await hostileClients(HOSTILE_CLIENTS.short, 'chaos-hostile-clients');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
