import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { LINK_FLAP, linkFlap } from './scenarios/link-flap';

describe('chaos 1: link cut every few seconds to minutes for a simulated day', () => {
  it('reports every message exactly once, within the login budget, one connection at a time', async () => {
    const result = await linkFlap(LINK_FLAP.short, 'chaos-link-flap');
    expect(failedChecks(result)).toEqual([]);
  }, 60_000);
});
