/**
 * Finding the text in the first bytes of a message body (`BODY.PEEK[TEXT]<0.N>`), without the
 * server's BODYSTRUCTURE: that one is as long as the sender makes it (598 KB for 5,000
 * attachments, 2 MB for a 1 MB file name, measured with Dovecot) and IMAP has no partial form of
 * it. Also what shows the text of a multipart whose boundary is broken or missing: the text that
 * is there, as text.
 */
import libmime from 'libmime';
import type { DecodeChoice } from './mime-text';

export interface ContentInfo {
  /** Lower-case type/subtype; text/plain when the header is missing or not a type (RFC 2045 5.2). */
  type: string;
  charset: string;
  boundary?: string;
  /** Content-Transfer-Encoding, lower-case; 7bit when absent. */
  encoding: string;
  /** Marked as an attachment, or named: not the message's own text. */
  attachment: boolean;
  /** The file name given (Content-Disposition's filename, else Content-Type's name). */
  name?: string;
}

export interface PrefixText {
  choice: DecodeChoice;
  bytes: Buffer;
  /** The part ended within the prefix. */
  complete: boolean;
}

/** How deep multiparts are followed; beyond it nothing is found (Dovecot itself stops at 100). */
const MAX_DEPTH = 16;
const TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

export function contentInfo(headers: { contentType?: string; encoding?: string; disposition?: string }): ContentInfo {
  const type = libmime.parseHeaderValue(headers.contentType ?? '');
  const disposition = libmime.parseHeaderValue(headers.disposition ?? '');
  const value = type.value.trim().toLowerCase();
  const name = disposition.params.filename || type.params.name;
  return {
    type: TYPE.test(value) ? value : 'text/plain',
    charset: type.params.charset?.trim() || 'utf-8',
    ...(type.params.boundary ? { boundary: type.params.boundary } : {}),
    encoding: headers.encoding?.trim().toLowerCase() || '7bit',
    attachment: disposition.value.trim().toLowerCase() === 'attachment' || Boolean(name),
    ...(name ? { name } : {}),
  };
}

/**
 * The text to show from a body prefix whose own headers say `top`. A single part that is text is
 * shown whatever its name or disposition (it is the whole message); in a multipart, the first
 * inline text/plain with content, else the first inline text/html, in document order.
 */
export function textOfPrefix(body: Buffer, complete: boolean, top: ContentInfo): PrefixText | null {
  const text = body.toString('latin1');
  if (top.type.startsWith('multipart/')) return textOfMultipart(text, complete, top, 0);
  if (top.type === 'message/rfc822') return textOfMessage(text, complete, 0);
  return top.type.startsWith('text/') ? leaf(text, complete, top) : null;
}

function textOfMultipart(text: string, complete: boolean, info: ContentInfo, depth: number): PrefixText | null {
  if (depth > MAX_DEPTH) return null;
  const boundary = info.boundary ?? guessBoundary(text);
  const parts = boundary ? splitParts(text, boundary, complete) : undefined;
  if (!parts) {
    // No delimiter anywhere: a declared boundary that never comes, or none declared. A boundary
    // the parts really use is tried before giving up on the structure.
    const guessed = guessBoundary(text);
    if (guessed && guessed !== boundary) return textOfMultipart(text, complete, { ...info, boundary: guessed }, depth + 1);
    return leaf(text, complete, { ...info, type: 'text/plain', encoding: '7bit' });
  }
  let html: PrefixText | null = null;
  let emptyPlain: PrefixText | null = null;
  for (const part of parts) {
    const found = part.info.type.startsWith('multipart/')
      ? textOfMultipart(part.body, part.complete, part.info, depth + 1)
      : part.info.attachment || !['text/plain', 'text/html'].includes(part.info.type)
        ? null
        : leaf(part.body, part.complete, part.info);
    if (!found) continue;
    if (found.choice.type === 'text/html') html ??= found;
    else if (found.bytes.length > 0 && /\S/.test(found.bytes.toString('latin1'))) return found;
    else emptyPlain ??= found;
  }
  return html ?? emptyPlain;
}

/** A body that is a whole message (message/rfc822 at the top): its own text. */
function textOfMessage(text: string, complete: boolean, depth: number): PrefixText | null {
  const { head, body } = splitHead(text);
  const inner = contentInfo(headerValues(head));
  if (inner.type.startsWith('multipart/')) return textOfMultipart(body, complete, inner, depth + 1);
  return inner.type.startsWith('text/') ? leaf(body, complete, inner) : null;
}

interface Part {
  info: ContentInfo;
  body: string;
  complete: boolean;
}

/** The parts between delimiter lines; undefined when there is no delimiter at all. */
function splitParts(text: string, boundary: string, complete: boolean): Part[] | undefined {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const marks: { start: number; end: number; close: boolean }[] = [];
  for (let m = delimiter.exec(text); m; m = delimiter.exec(text)) {
    marks.push({ start: m.index, end: m.index + m[0].length, close: Boolean(m[1]) });
    if (m[1]) break;
    // A delimiter ends with the line break that the next one may start with.
    delimiter.lastIndex = m.index + m[0].length - (/\r?\n$/.exec(m[0])?.[0].length ?? 0);
  }
  if (marks.length === 0) return undefined;
  const parts: Part[] = [];
  for (let i = 0; i < marks.length && !marks[i].close; i++) {
    const next = marks[i + 1];
    const raw = text.slice(marks[i].end, next ? next.start : text.length);
    const ended = Boolean(next) || complete;
    const { head, body } = splitHead(ended ? raw : withoutCutDelimiter(raw, boundary));
    parts.push({ info: contentInfo(headerValues(head)), body, complete: ended });
  }
  return parts;
}

function leaf(body: string, complete: boolean, info: ContentInfo): PrefixText {
  return {
    choice: { type: info.type === 'text/html' ? 'text/html' : 'text/plain', charset: info.charset, encoding: info.encoding },
    bytes: Buffer.from(body, 'latin1'),
    complete,
  };
}

/** A part's header block and body; a part starting with a blank line has no headers. */
function splitHead(text: string): { head: string; body: string } {
  const blank = /\r?\n\r?\n/.exec(text);
  if (/^\r?\n/.test(text)) return { head: '', body: text.replace(/^\r?\n/, '') };
  if (!blank) return { head: text, body: '' };
  return { head: text.slice(0, blank.index), body: text.slice(blank.index + blank[0].length) };
}

function headerValues(head: string): { contentType?: string; encoding?: string; disposition?: string } {
  const out: { contentType?: string; encoding?: string; disposition?: string } = {};
  for (const line of head.split(/\r?\n(?![ \t])/)) {
    const match = /^(content-type|content-transfer-encoding|content-disposition)[ \t]*:(.*)$/is.exec(line);
    if (!match) continue;
    const value = match[2].replace(/\r?\n[ \t]/g, ' ').trim();
    const key = match[1].toLowerCase();
    if (key === 'content-type') out.contentType ??= value;
    else if (key === 'content-transfer-encoding') out.encoding ??= value;
    else out.disposition ??= value;
  }
  return out;
}

/** The boundary of a body whose first line is a delimiter ("--something"). */
function guessBoundary(text: string): string | undefined {
  const first = /^(?:[ \t]*\r?\n)*--(\S[^\r\n]{0,69}?)[ \t]*(?:\r?\n|$)/.exec(text);
  return first?.[1];
}

/** A slice can end inside the next delimiter line ("\r\n--bou"): that is not text. */
function withoutCutDelimiter(text: string, boundary: string): string {
  const lastBreak = text.lastIndexOf('\n');
  const tail = text.slice(lastBreak + 1);
  return tail.length > 0 && `--${boundary}`.startsWith(tail) ? text.slice(0, lastBreak).replace(/\r$/, '') : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
