import { describe, expect, it } from 'vitest';
import { failedChecks } from './report';
import { THE_DOOR, theDoor } from './scenarios/the-door';

describe('chaos 10: the door under local attack, on the built helper', () => {
  it('revocation cuts, floods cannot starve, guessing cannot block the user, the log and the listing stay clean', async () => {
    const result = await theDoor(THE_DOOR.short, 'chaos-the-door');
    expect(failedChecks(result)).toEqual([]);
  }, 240_000);
});
