/**
 * Splits mail text into plain runs and links. Only absolute http(s) URLs become links; everything
 * else, markup included, stays text, which the UI renders as text nodes (never as HTML).
 */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/**
 * Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). The
 * helper keeps them in bodies; the reader shows each as a visible mark instead of applying it, so
 * "Attachment: \u202Etxt.exe" reads "txt.exe", never "exe.txt". (The weak marks LRM, RLM and ALM
 * cannot reverse text and stay.)
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const BIDI_CONTROLS = new RegExp(`(${BIDI_CONTROL.source})`, 'g');

export type MarkedSegment = { kind: 'text'; text: string } | { kind: 'control'; code: string };

/** Text with every bidi control split out as its code point ("U+202E"), to be shown, not applied. */
export function markBidiControls(text: string): MarkedSegment[] {
  if (!BIDI_CONTROL.test(text)) return text ? [{ kind: 'text', text }] : [];
  return text
    .split(BIDI_CONTROLS)
    .filter((piece) => piece !== '')
    .map((piece) =>
      BIDI_CONTROL.test(piece) && piece.length === 1
        ? { kind: 'control', code: `U+${piece.charCodeAt(0).toString(16).toUpperCase()}` }
        : { kind: 'text', text: piece },
    );
}

/** One-line fields for attributes (names read by screen readers): the controls simply go. */
export function withoutBidiControls(text: string): string {
  return text.replace(new RegExp(BIDI_CONTROL.source, 'g'), '');
}

// A bidi control ends a URL: it could otherwise show a link's text reversed.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`\u202A-\u202E\u2066-\u2069]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*'"»”’]+$/;

/** Sentence punctuation and an unmatched closing bracket after a URL belong to the sentence. */
function trimUrl(candidate: string): string {
  let url = candidate.replace(TRAILING_PUNCTUATION, '');
  for (const [open, close] of [['(', ')'], ['[', ']']]) {
    while (url.endsWith(close) && url.split(open).length < url.split(close).length) {
      url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
    }
  }
  return url;
}

function safeHref(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    plain += text.slice(last, match.index);
    if (plain) segments.push({ kind: 'text', text: plain });
    plain = '';
    segments.push({ kind: 'link', text: url, href });
    last = match.index + url.length;
  }
  plain += text.slice(last);
  if (plain) segments.push({ kind: 'text', text: plain });
  return segments;
}

/** Mail text as lines, each split into text and links: the reader isolates every line on its own. */
export function textLines(text: string): TextSegment[][] {
  return text.split(/\r?\n/).map(linkify);
}
