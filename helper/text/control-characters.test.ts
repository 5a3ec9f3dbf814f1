import { describe, expect, it } from 'vitest';
import { printable, withoutControlCharacters } from './control-characters';

const HOSTILE = 'Chrome\u001b[2J\u001b[H\r\n0123456789ab  Trusted\u0007\u009b31m\u202eevil\u2066\u200b\u2028x\u007f';
/** Anything a terminal acts on instead of showing. */
const ACTS_ON_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;

describe('control characters', () => {
  it('printable() shows each as a visible escape and keeps the rest', () => {
    const shown = printable(HOSTILE);
    expect(shown).not.toMatch(ACTS_ON_TERMINAL);
    expect(shown).toBe('Chrome\\u001b[2J\\u001b[H\\u000d\\u000a0123456789ab  Trusted\\u0007\\u009b31m\\u202eevil\\u2066\\u200b\\u2028x\\u007f');
    expect(printable('Grüße, 日本 ✉')).toBe('Grüße, 日本 ✉');
  });

  it('withoutControlCharacters() leaves one trimmed line with single spaces', () => {
    expect(withoutControlCharacters(HOSTILE)).toBe('Chrome [2J [H 0123456789ab Trusted 31m evil x');
    expect(withoutControlCharacters(HOSTILE)).not.toMatch(ACTS_ON_TERMINAL);
  });
});
