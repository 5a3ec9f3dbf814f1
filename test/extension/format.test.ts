import { describe, expect, it } from 'vitest';
import { relativeDate } from '../../extension/format';

const HOUR = 3_600_000;
const now = new Date(2026, 10, 23, 15, 0).getTime();

describe('relativeDate', () => {
  it('says minutes and hours for today, and yesterday', () => {
    expect(relativeDate(now - 30_000, now)).toBe('just now');
    expect(relativeDate(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(relativeDate(now - 3 * HOUR, now)).toBe('3 h ago');
    expect(relativeDate(new Date(2026, 10, 22, 9, 0).getTime(), now)).toBe('yesterday');
  });

  it('says the weekday within six days, then day and month, with the year only for another year (in the browser locale)', () => {
    const fourDaysAgo = new Date(2026, 10, 19, 12, 0);
    const june = new Date(2026, 5, 3, 12, 0);
    const lastYear = new Date(2025, 11, 24, 12, 0);
    expect(relativeDate(fourDaysAgo.getTime(), now)).toBe(fourDaysAgo.toLocaleDateString(undefined, { weekday: 'long' }));
    expect(relativeDate(june.getTime(), now)).toBe(june.toLocaleDateString(undefined, { day: 'numeric', month: 'short' }));
    expect(relativeDate(lastYear.getTime(), now)).toBe(lastYear.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }));
    expect(relativeDate(lastYear.getTime(), now)).toContain('2025');
    expect(relativeDate(june.getTime(), now)).not.toContain('2026');
  });
});
