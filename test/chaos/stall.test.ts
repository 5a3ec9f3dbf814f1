import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { STALL, stall } from './scenarios/stall';

describe('chaos 2: silent stall in IDLE and mid-FETCH', () => {
  it('is detected within the stated bound and replaced, nothing lost', async () => {
    const result = await stall(STALL.short, 'chaos-stall');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
