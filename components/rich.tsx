/** A catalogue message with elements in its placeholders (a command in <code>, a name in <bdi>). */
import type { ComponentChild } from 'preact';
import { t, type MessageName } from '../extension/i18n';

// Private-use characters stand in for the parts while the catalogue fills the placeholders.
const MARK_BASE = 0xe000;

export function rich(name: MessageName, ...parts: ComponentChild[]): ComponentChild[] {
  const marks = parts.map((_, i) => String.fromCharCode(MARK_BASE + i));
  return t(name, ...marks)
    .split(/([\ue000-\ue008])/)
    .filter((piece) => piece !== '')
    .map((piece) => {
      const index = piece.charCodeAt(0) - MARK_BASE;
      return piece.length === 1 && index >= 0 && index < parts.length ? parts[index] : piece;
    });
}

