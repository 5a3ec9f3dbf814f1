import { Buffer } from 'node:buffer';
import { compile, type HtmlToTextOptions } from 'html-to-text';
import libmime from 'libmime';
import libcharset from 'libmime/lib/charset';
import iconv from 'iconv-lite';
import libqp from 'libqp';
import type { TextPartChoice } from './text-part';

/**
 * The start of the body read for a preview (`BODY.PEEK[TEXT]<0.N>`): plenty for a 200-character
 * snippet, and with the header slices (message-fetch) within 16 KiB read per new message.
 */
export const SNIPPET_MAX_BYTES = 6 * 1024;
/** The most of a part's text read to open a message; the rest is in webmail. */
export const BODY_MAX_BYTES = 40 * 1024;

export type DecodeChoice = Pick<TextPartChoice, 'type' | 'charset' | 'encoding'>;

/**
 * Turns the fetched bytes of a part (still in its transfer encoding and charset, as iCloud has
 * no BINARY) into text; HTML becomes readable plain text. With complete=false the bytes are a
 * slice cut anywhere, and whatever the cut left unfinished is dropped rather than shown.
 */
export function decodePartText(raw: Buffer, choice: DecodeChoice, opts: { complete: boolean }): string {
  const bytes = undoTransferEncoding(raw, choice.encoding, opts.complete);
  const text = decodeCharset(bytes, choice.charset, opts.complete);
  return choice.type === 'text/html' ? htmlToText(opts.complete ? text : trimCutMarkup(text)) : text;
}

/** One line for a notification or list row: quotes and signature left out, cut at a word. */
export function makeSnippet(text: string, maxChars = 200): string {
  const own = oneLine(ownLines(text.split(/\r\n|\r|\n/)).join(' '));
  // A message that is all quote still gets a preview.
  return cutAtWord(own || oneLine(text), maxChars);
}

/** Quick-read text of a part's first bytes; `complete` says they are the whole part. */
export function bodyText(bytes: Buffer, choice: DecodeChoice, complete: boolean): { text: string; truncated: boolean } {
  return { text: normalizeBody(decodePartText(bytes, choice, { complete })), truncated: !complete };
}

/**
 * A raw header value for display: unfolded, RFC 2047 words decoded, one clean line. With `cut`
 * the value is a slice ending anywhere: an encoded word the cut left open is closed after its
 * last whole quantum (base64) or escape (Q) and decoded as far as it goes, a word cut before its
 * text is dropped, and a character cut in two is left out, so no "=?utf-8?B?…" or U+FFFD shows.
 */
export function decodeHeader(value: string, cut = false): string {
  const unfolded = value.replace(/\r?\n(?=[ \t])/g, '');
  // libmime leaves malformed words literal, decodes unknown charsets as UTF-8 and joins adjacent
  // words (also a multi-byte character split across two of them).
  const decoded = libmime.decodeWords(cut ? closeCutWord(unfolded) : unfolded);
  return oneLine(cut ? decoded.replace(/\uFFFD+$/, '') : decoded);
}

function closeCutWord(value: string): string {
  const open = value.lastIndexOf('=?');
  if (open < 0 || /^=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/.test(value.slice(open))) return value;
  const word = /^=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)$/.exec(value.slice(open));
  if (!word) return value.slice(0, open);
  const [, charset, encoding, text] = word;
  const kept = /b/i.test(encoding) ? text.slice(0, text.length - (text.length % 4)) : text.replace(/=[0-9A-Fa-f]?$/, '');
  return kept ? `${value.slice(0, open)}=?${charset}?${encoding}?${kept}?=` : value.slice(0, open);
}

// C0 controls except tab and line breaks, DEL and C1: never meaningful in displayed text.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// Invisible format characters: newsletter preheader padding (zero-width, soft hyphen, CGJ) and
// bidi overrides, which can make a one-line preview read as something else.
const INVISIBLE = /[\u00AD\u034F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * Text for a one-line display (a snippet, or an envelope subject or name imapflow has already
 * decoded): without the line breaks, controls and invisible characters a sender can hide in an
 * encoded-word (a right-to-left override shows "gnp.exe" as "exe.png").
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, '').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function undoTransferEncoding(raw: Buffer, encoding: string, complete: boolean): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      // Node's decoder skips line breaks and never emits a byte it lacks some of the 8 bits of,
      // so a slice cut mid-quantum still decodes to an exact prefix of the part.
      return Buffer.from(raw.toString('latin1'), 'base64');
    case 'quoted-printable': {
      // libqp decodes a cut "=X" escape or a soft break cut before its LF as literal text.
      const end = complete ? raw.length : raw.toString('latin1').search(/=[0-9A-Fa-f]?\r?$/);
      return libqp.decode(end < 0 ? raw : raw.subarray(0, end));
    }
    default:
      // 7bit, 8bit, binary, and encodings nobody sends (uuencode): the bytes as they are.
      return raw;
  }
}

function decodeCharset(bytes: Buffer, charset: string, complete: boolean): string {
  if (!new libcharset.DecodeStream(charset).supported) return decodeUnlabelled(bytes, !complete);
  // libmime resolves charset aliases, decodes the Japanese ones with encoding-japanese and the
  // rest with iconv-lite.
  if (complete) return libcharset.decode(bytes, charset);
  if (/^iso-?2022-?jp/i.test(libcharset.normalizeCharset(charset))) {
    return libcharset.decode(trimIso2022Tail(bytes), charset);
  }
  // UTF-8 and iconv-lite's decoders turn a character cut at the end into one U+FFFD: at the end
  // of a slice that is the cut, not bad data.
  return libcharset.decode(bytes, charset).replace(/\uFFFD$/, '');
}

/**
 * Bytes in no charset anyone named or knows (a header in raw 8-bit, a charset nobody knows or
 * one refused, as UTF-7 is): UTF-8 if they are UTF-8, else Windows-1252, where every byte is a
 * character, so "café" stays readable instead of "caf\uFFFD". With `cut`, a character cut in two
 * at the end is left out.
 */
export function decodeUnlabelled(bytes: Buffer, cut: boolean): string {
  const utf8 = bytes.toString('utf8');
  const whole = cut ? utf8.replace(/\uFFFD$/, '') : utf8;
  if (!whole.includes('\uFFFD') || bytes.includes(REPLACEMENT_UTF8)) return whole;
  return iconv.decode(bytes, 'windows-1252');
}

const REPLACEMENT_UTF8 = Buffer.from('\uFFFD', 'utf8');

// ISO-2022-JP is stateful: escape sequences switch between ASCII-like modes and two-byte modes
// (ESC $ @, ESC $ B, ESC $ ( D) where every character is a byte pair. encoding-japanese decodes
// a cut pair or a cut escape as '?', so the slice is first trimmed to whole characters.
function trimIso2022Tail(bytes: Buffer): Buffer {
  const esc = bytes.lastIndexOf(0x1b);
  if (esc < 0) return bytes;
  const twoByte = bytes[esc + 1] === 0x24; // '$'
  const escLength = twoByte && bytes[esc + 2] === 0x28 ? 4 : 3; // ESC $ ( D is the only 4-byte one
  const after = bytes.length - esc - escLength;
  if (after < 0) return bytes.subarray(0, esc);
  return twoByte && after % 2 === 1 ? bytes.subarray(0, bytes.length - 1) : bytes;
}

// htmlparser2 shows an unfinished tag's name ("<scr" → "scr") and an unfinished entity as text.
function trimCutMarkup(html: string): string {
  return html.replace(/<[^>]*$/, '').replace(/&#?[a-z0-9]*$/i, '');
}

// Only web and mail addresses are worth showing beside a link's text; javascript:, data:, cid:
// and relative hrefs are dropped (html-to-text has already removed "mailto:").
function shownHref(href: string): string {
  return /^https?:\/\/\S+$/i.test(href) || /^[^\s@:/]+@[^\s@/]+$/.test(href) ? href : '';
}

const HTML_OPTIONS: HtmlToTextOptions = {
  wordwrap: false, // the reader wraps to its own width
  selectors: [
    // Explicit although some are defaults: when a cut slice has no <body>, the whole document
    // is converted, head included.
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'title', format: 'skip' },
    // Tracking pixels and cid: pictures; their src is noise in text.
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { pathRewrite: shownHref, hideLinkHrefIfSameAsText: true } },
    // Layout-table cells would otherwise run together ("Hello thereWorld").
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
  ],
};
const htmlToText = compile(HTML_OPTIONS);

const SIGNATURE = /^(?:--|_{5,}|-{3,} ?original message ?-{3,})$/i;

/** Lines that are this message's own words: no quoted reply, its attribution, or signature. */
function ownLines(lines: string[]): string[] {
  const kept: string[] = [];
  // A line ending in ':' ("On Monday, Ann wrote:" in any language) waits to see whether a
  // quote follows it.
  let attribution: string | undefined;
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (SIGNATURE.test(trimmed)) break;
    if (trimmed.startsWith('>')) {
      attribution = undefined;
      continue;
    }
    if (attribution) kept.push(attribution);
    attribution = trimmed.endsWith(':') ? trimmed : undefined;
    if (!attribution) kept.push(trimmed);
  }
  return attribution ? [...kept, attribution] : kept;
}

function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  // One character is kept for the ellipsis, so the snippet never exceeds maxChars.
  const space = text.lastIndexOf(' ', maxChars - 1);
  // No space in the second half (a long URL, CJK text): a hard cut keeps more.
  const cut = space > maxChars / 2 ? text.slice(0, space) : withoutLoneHighSurrogate(text.slice(0, maxChars - 1));
  return cut.trimEnd() + '…';
}

function withoutLoneHighSurrogate(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

function normalizeBody(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    // A NUL stands for something the sender meant: shown as U+FFFD (as Dovecot's 0x80 for it
    // is), so "a\0b" does not read "ab". Other controls are dropped.
    .replace(/\u0000/g, '\uFFFD')
    .replace(CONTROL, '')
    .replace(/\n(?:[ \t]*\n){3,}/g, '\n\n\n') // at most two blank lines in a row
    .trim();
}
