import { describe, expect, it } from 'vitest';
import { NewMailPace } from './new-mail-pace';

describe('NewMailPace', () => {
  it('handles the first new mail at once', () => {
    expect(new NewMailPace(1_000).wait(5_000)).toBe(0);
  });

  it('holds new mail that follows a round until a pace after it, then lets it go at once', () => {
    const pace = new NewMailPace(1_000);
    pace.roundStarted(10_000);
    expect(pace.wait(10_000)).toBe(1_000);
    expect(pace.wait(10_400)).toBe(600);
    expect(pace.wait(11_000)).toBe(0);
    expect(pace.wait(25_000)).toBe(0);
  });

  it('paces from the latest round', () => {
    const pace = new NewMailPace(1_000);
    pace.roundStarted(0);
    pace.roundStarted(1_000);
    expect(pace.wait(1_500)).toBe(500);
  });
});
