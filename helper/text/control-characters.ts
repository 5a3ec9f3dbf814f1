/**
 * Characters that change how a terminal shows text instead of being shown: C0 and C1 controls
 * (ESC starts escape sequences, CR rewrites a line), DEL, line and paragraph separators, and the
 * invisible and bidirectional marks that hide or reorder what follows. A name another program
 * chose (a paired browser's) must never reach a terminal with one of these in it.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** Each such character as a visible escape (`\u001b`), everything else as it is. */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Such characters as spaces, runs of spaces as one, trimmed. */
export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/gu, ' ').trim();
}
