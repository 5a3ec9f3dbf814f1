/**
 * RFC 5322 messages for tests, byte-for-byte deterministic: the same options give the same
 * bytes (fixed date, counter boundaries, Message-ID derived from the content).
 */
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';

export type Charset = 'utf-8' | 'iso-8859-1' | 'shift_jis';
export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

export interface TextBody {
  content: string;
  charset?: Charset;
  /** Default: 7bit when the encoded bytes are ASCII, quoted-printable otherwise. */
  encoding?: TransferEncoding;
}

export interface MessageOptions {
  from?: string;
  to?: string;
  subject?: string;
  /** Writes the subject as RFC 2047 encoded-words; without it the subject goes out as is (raw UTF-8 if not ASCII). */
  subjectEncoding?: { charset: Charset; encoding: 'B' | 'Q' };
  date?: Date;
  messageId?: string;
  /** A string is UTF-8 text with the default transfer encoding. */
  text?: string | TextBody;
  html?: string | TextBody;
  /** `size` bytes of filler, base64-encoded: a 25 MB message costs no fixture file. */
  attachment?: { size: number; filename?: string; contentType?: string };
}

export const DEFAULT_DATE = new Date('2026-01-02T03:04:05Z');

/** A MIME entity: header lines and an already transfer-encoded body. */
interface Part {
  headers: string[];
  body: Buffer;
}

export function buildMessage(opts: MessageOptions): Buffer {
  let boundaries = 0;
  const nextBoundary = (): string => `=_harness_boundary_${++boundaries}`;

  const alternatives = [
    opts.text === undefined ? undefined : textPart('plain', opts.text),
    opts.html === undefined ? undefined : textPart('html', opts.html),
  ].filter((part): part is Part => part !== undefined);
  const readable = alternatives.length > 1 ? multipart('alternative', alternatives, nextBoundary()) : alternatives[0];
  const parts = [readable, opts.attachment && attachmentPart(opts.attachment)].filter((part): part is Part => !!part);
  const root = parts.length > 1 ? multipart('mixed', parts, nextBoundary()) : parts[0] ?? textPart('plain', '');

  const subject = opts.subject ?? 'Test message';
  const headers = [
    `From: ${opts.from ?? 'Sender <sender@example.test>'}`,
    `To: ${opts.to ?? 'user@example.test'}`,
    `Subject: ${opts.subjectEncoding ? encodeWords('Subject', subject, opts.subjectEncoding.charset, opts.subjectEncoding.encoding) : subject}`,
    `Date: ${formatDate(opts.date ?? DEFAULT_DATE)}`,
    `Message-ID: ${opts.messageId ?? defaultMessageId(opts)}`,
    'MIME-Version: 1.0',
    ...root.headers,
  ];
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'utf8'), root.body]);
}

function textPart(subtype: 'plain' | 'html', body: string | TextBody): Part {
  const { content, charset = 'utf-8', encoding } = typeof body === 'string' ? { content: body } : body;
  const bytes = iconv.encode(content.replace(/\r?\n/g, '\r\n'), charset);
  const chosen = encoding ?? (isAscii(bytes) ? '7bit' : 'quoted-printable');
  return {
    headers: [`Content-Type: text/${subtype}; charset=${charset}`, `Content-Transfer-Encoding: ${chosen}`],
    body: transferEncode(bytes, chosen),
  };
}

function attachmentPart({ size, filename = 'attachment.bin', contentType = 'application/octet-stream' }: NonNullable<MessageOptions['attachment']>): Part {
  return {
    headers: [
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
    ],
    body: transferEncode(Buffer.alloc(size, 'harness attachment filler '), 'base64'),
  };
}

function multipart(subtype: 'alternative' | 'mixed', parts: Part[], boundary: string): Part {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`], body: Buffer.concat(chunks) };
}

function transferEncode(bytes: Buffer, encoding: TransferEncoding): Buffer {
  switch (encoding) {
    case '7bit':
      if (!isAscii(bytes)) throw new Error('7bit cannot carry non-ASCII bytes: choose 8bit, quoted-printable or base64');
      return bytes;
    case '8bit':
      return bytes;
    case 'quoted-printable':
      return Buffer.from(quotedPrintable(bytes), 'ascii');
    case 'base64':
      return Buffer.from(wrapBase64(bytes.toString('base64')), 'ascii');
  }
}

/** RFC 2045 6.7: hard line breaks kept, lines soft-broken to at most 76 characters. */
function quotedPrintable(bytes: Buffer): string {
  const maxLine = 75; // plus the '=' of a soft break
  return bytes.toString('latin1').split('\r\n').map((line) => {
    const out: string[] = [];
    let current = '';
    for (let i = 0; i < line.length; i++) {
      const code = line.charCodeAt(i);
      const isLast = i === line.length - 1;
      const literal = (code >= 33 && code <= 126 && code !== 61) || ((code === 32 || code === 9) && !isLast);
      const token = literal ? line[i] : `=${code.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > maxLine) {
        out.push(`${current}=`);
        current = '';
      }
      current += token;
    }
    out.push(current);
    return out.join('\r\n');
  }).join('\r\n');
}

function wrapBase64(base64: string): string {
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 76) lines.push(base64.slice(i, i + 76));
  return lines.join('\r\n');
}

/**
 * RFC 2047 encoded-words, never splitting a character, folded so that every line holding one
 * (the first one starts after `headerName: `) stays within 76 characters.
 */
function encodeWords(headerName: string, text: string, charset: Charset, encoding: 'B' | 'Q'): string {
  const prefix = `=?${charset}?${encoding}?`;
  const budgetOnLine = (lineStart: number): number => 76 - lineStart - prefix.length - '?='.length;
  const encodedLength = (bytes: Buffer): number =>
    encoding === 'B' ? Math.ceil(bytes.length / 3) * 4 : qEncode(bytes).length;
  const encode = (bytes: Buffer): string =>
    `${prefix}${encoding === 'B' ? bytes.toString('base64') : qEncode(bytes)}?=`;

  const words: string[] = [];
  let budget = budgetOnLine(`${headerName}: `.length);
  let pending: Buffer = Buffer.alloc(0);
  for (const char of text) {
    const candidate = Buffer.concat([pending, iconv.encode(char, charset)]);
    if (pending.length > 0 && encodedLength(candidate) > budget) {
      words.push(encode(pending));
      budget = budgetOnLine(' '.length);
      pending = iconv.encode(char, charset);
    } else {
      pending = candidate;
    }
  }
  if (pending.length > 0 || words.length === 0) words.push(encode(pending));
  return words.join('\r\n ');
}

/** RFC 2047 4.2 "Q": space as '_', only characters safe in any header position left as they are. */
function qEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (byte === 32) out += '_';
    else if (/[A-Za-z0-9!*+\-/]/.test(char)) out += char;
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isAscii(bytes: Buffer): boolean {
  return bytes.every((byte) => byte < 0x80);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time, in UTC. */
function formatDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} `
    + `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function defaultMessageId(opts: MessageOptions): string {
  const digest = createHash('sha256').update(JSON.stringify(opts)).digest('hex');
  return `<${digest.slice(0, 24)}@harness.test>`;
}
