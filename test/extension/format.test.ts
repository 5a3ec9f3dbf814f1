import './english';
import { afterEach, describe, expect, it } from 'vitest';
import { compactAddress, displayName, fileSize, initialOf, relativeDate, untilText } from '../../extension/format';
import { useCatalogue } from './catalogue';

const HOUR = 3_600_000;
const now = new Date(2026, 10, 23, 15, 0).getTime();

afterEach(() => useCatalogue('en'));

describe('relativeDate', () => {
  it('says minutes and hours for today, and yesterday', () => {
    expect(relativeDate(now - 30_000, now)).toBe('now');
    expect(relativeDate(now - 5 * 60_000, now)).toBe('5 min. ago');
    expect(relativeDate(now - 3 * HOUR, now)).toBe('3 hr. ago');
    expect(relativeDate(new Date(2026, 10, 22, 9, 0).getTime(), now)).toBe('yesterday');
  });

  it('says the weekday within six days, then day and month, with the year only for another year (in the UI language)', () => {
    const fourDaysAgo = new Date(2026, 10, 19, 12, 0);
    const june = new Date(2026, 5, 3, 12, 0);
    const lastYear = new Date(2025, 11, 24, 12, 0);
    expect(relativeDate(fourDaysAgo.getTime(), now)).toBe(fourDaysAgo.toLocaleDateString('en', { weekday: 'long' }));
    expect(relativeDate(june.getTime(), now)).toBe(june.toLocaleDateString('en', { day: 'numeric', month: 'short' }));
    expect(relativeDate(lastYear.getTime(), now)).toBe(lastYear.toLocaleDateString('en', { day: 'numeric', month: 'short', year: 'numeric' }));
    expect(relativeDate(lastYear.getTime(), now)).toContain('2025');
    expect(relativeDate(june.getTime(), now)).not.toContain('2026');
  });

  it('speaks the catalogue’s language, not the machine’s', () => {
    useCatalogue('de');
    expect(relativeDate(now - 5 * 60_000, now)).toBe('vor 5 Min.');
    expect(relativeDate(new Date(2026, 10, 22, 9, 0).getTime(), now)).toBe('gestern');
    expect(untilText(now + 4 * 60_000, now)).toBe('in 4 Minuten');
    useCatalogue('he', 'rtl');
    expect(relativeDate(new Date(2026, 10, 22, 9, 0).getTime(), now)).toBe('אתמול');
    useCatalogue('ja');
    expect(relativeDate(now - 3 * HOUR, now)).toBe('3 時間前');
  });
});

describe('untilText', () => {
  it('says minutes in words, and the clock time further off', () => {
    expect(untilText(now + 30_000, now)).toBe('in less than a minute');
    expect(untilText(now + 4 * 60_000, now)).toBe('in 4 minutes');
    expect(untilText(now + 3 * HOUR, now)).toMatch(/^at 0?6:00\s?PM$/);
  });
});

describe('fileSize', () => {
  it('names bytes, kilobytes and megabytes in the UI language', () => {
    expect(fileSize(820)).toBe('820 byte');
    expect(fileSize(14_200)).toBe('14 kB');
    expect(fileSize(1_234_567)).toBe('1.2 MB');
    useCatalogue('de');
    expect(fileSize(1_234_567)).toBe('1,2 MB');
  });
});

describe('addresses', () => {
  it('keeps a long address’s start and its whole domain', () => {
    expect(compactAddress('ann@example.test')).toBe('ann@example.test');
    const long = `security-team-${'a'.repeat(60)}@attacker.test`;
    const shown = compactAddress(long);
    expect(shown.length).toBeLessThanOrEqual(30);
    expect(shown.endsWith('@attacker.test')).toBe(true);
    expect(shown.startsWith('security-team-')).toBe(true);
    expect(compactAddress(`x@${'sub.'.repeat(20)}attacker.test`).endsWith('attacker.test')).toBe(true);
  });

  it('drops a display name that is only the address again', () => {
    expect(displayName({ name: 'Ann@Example.test', address: 'ann@example.test' })).toBeUndefined();
    expect(displayName({ name: 'security@bank.test', address: 'evil@attacker.test' })).toBe('security@bank.test');
    expect(initialOf({ name: '"Zoë" Example' })).toBe('Z');
    expect(initialOf({ address: '42@example.test' })).toBe('4');
  });
});
