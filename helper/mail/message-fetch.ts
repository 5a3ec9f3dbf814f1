/**
 * Fetching what the user sees of a message, never more than a bounded number of bytes of it,
 * whatever the sender made of it: a 1 MB subject, 5,000 recipients or a 25 MB message cost what a
 * short one does. No ENVELOPE (as long as its fields); header fields in bounded slices
 * (header-fields); parts in their transfer encoding (no BINARY: iCloud has none), decoded here.
 *
 * A new message: FLAGS, INTERNALDATE, five header fields and the first bytes of the body
 * (`BODY.PEEK[TEXT]<0.6K>`), where mime-prefix finds the text. No BODYSTRUCTURE: it is as long as
 * the sender makes it, and IMAP cannot read part of it.
 * Opening one: the header fields shown and the top Content-Type, To (8 KiB: the first 50
 * recipients and a count), at most 40 KiB of the text, and only for a multipart BODYSTRUCTURE,
 * to find the text part anywhere and name the attachments: the one read whose length the sender
 * sets (5,000 parts, a 1 MB file name), as IMAP cannot read part of it.
 */
import type { FetchMessageObject, ImapFlow, MessageStructureObject } from 'imapflow';
import type { Address, Body, MessageKey, Preview } from '../../protocol';
import { parseAddressList, parseSender } from './addresses';
import { listAttachments, singlePartAttachment, type AttachmentList } from './attachments';
import { fetchHeaderFields, type HeaderField } from './header-fields';
import type { MailboxView } from './mailbox-view';
import { contentInfo, textOfPrefix, type ContentInfo, type PrefixText } from './mime-prefix';
import { BODY_MAX_BYTES, SNIPPET_MAX_BYTES, bodyText, decodeHeader, decodePartText, makeSnippet } from './mime-text';
import { chooseTextPart } from './text-part';

const PREVIEW_FIELDS = ['FROM', 'SUBJECT', 'DATE', 'CONTENT-TYPE', 'CONTENT-TRANSFER-ENCODING'] as const;
/** Per round of header fields: at most one round per field. */
const FIELD_BYTES = 1536;
const BODY_FIELDS = ['FROM', 'SUBJECT', 'DATE', 'CONTENT-TYPE', 'CONTENT-TRANSFER-ENCODING', 'CONTENT-DISPOSITION'] as const;
/** Enough for about 200 recipients, all listed or counted; beyond, the count is "more than". */
const TO_BYTES = 8192;
const MAX_TO = 50;
const MAX_SUBJECT = 4096;

export async function fetchPreviews(client: ImapFlow, view: MailboxView, uids: number[]): Promise<Preview[]> {
  const reads = await fetchHeaderFields(client, uids, PREVIEW_FIELDS, FIELD_BYTES, {
    flags: true,
    internalDate: true,
    bodyParts: [{ key: 'TEXT', start: 0, maxLength: SNIPPET_MAX_BYTES + 1 }],
  });
  return [...reads.values()].map(({ row, fields }) => {
    const found = previewText(row, fields);
    return {
      key: view.key(row.uid),
      ...shownHeaders(fields, row),
      snippet: makeSnippet(found ? decodePartText(found.bytes, found.choice, { complete: found.complete }) : ''),
      seen: row.flags?.has('\\Seen') ?? false,
    };
  });
}

function previewText(row: FetchMessageObject, fields: Map<string, HeaderField>): PrefixText | null {
  const raw = partBytes(row, 'text') ?? Buffer.alloc(0);
  const complete = raw.length <= SNIPPET_MAX_BYTES;
  const top = contentInfo({ contentType: fields.get('CONTENT-TYPE')?.value, encoding: fields.get('CONTENT-TRANSFER-ENCODING')?.value });
  return textOfPrefix(complete ? raw : raw.subarray(0, SNIPPET_MAX_BYTES), complete, top);
}

export async function fetchBody(client: ImapFlow, key: MessageKey): Promise<Body | null> {
  const read = (await fetchHeaderFields(client, [key.uid], BODY_FIELDS, FIELD_BYTES, { internalDate: true, size: true })).get(key.uid);
  if (!read) return null;
  const top = contentInfo({
    contentType: read.fields.get('CONTENT-TYPE')?.value,
    encoding: read.fields.get('CONTENT-TRANSFER-ENCODING')?.value,
    disposition: read.fields.get('CONTENT-DISPOSITION')?.value,
  });
  const multipart = top.type.startsWith('multipart/');
  // BODYSTRUCTURE is as long as the sender makes it (a 1 MB parameter, 5,000 parts): read only
  // when there are parts to find the text among and to name.
  const second = (await fetchHeaderFields(client, [key.uid], ['TO'], TO_BYTES, multipart ? { bodyStructure: true } : {})).get(key.uid);
  const toField = second?.fields.get('TO');
  const to = toField ? parseAddressList(toField.value, toField.cut, MAX_TO) : { list: [], total: 0, cut: false };
  const structure = second?.row.bodyStructure;
  const { found, attachments } = structure
    ? await partsOfMultipart(client, key.uid, structure)
    : await partOfSinglePart(client, key.uid, top, read.row.size ?? 0);
  return {
    key,
    ...shownHeaders(read.fields, read.row),
    to: to.list,
    toTotal: to.total,
    ...(to.cut ? { toCut: true } : {}),
    ...(found ? bodyText(found.bytes, found.choice, found.complete) : { text: '', truncated: false }),
    attachments: attachments.list,
    attachmentTotal: attachments.total,
  };
}

interface OpenedParts {
  found: PrefixText | null;
  attachments: AttachmentList;
}

/** A message that is one part: its text whatever it is called, or, when not text, an attachment. */
async function partOfSinglePart(client: ImapFlow, uid: number, top: ContentInfo, messageSize: number): Promise<OpenedParts> {
  if (!top.type.startsWith('text/') && top.type !== 'message/rfc822') return { found: null, attachments: singlePartAttachment(top, messageSize) };
  const raw = await fetchSection(client, uid, 'TEXT');
  const complete = raw.length <= BODY_MAX_BYTES;
  return { found: textOfPrefix(complete ? raw : raw.subarray(0, BODY_MAX_BYTES), complete, top), attachments: { list: [], total: 0 } };
}

/**
 * The start of the text part, found in BODYSTRUCTURE wherever it is. A multipart whose structure
 * the server could not make out (a boundary that never comes, or none) shows as one empty text
 * part and nothing else: its text is then looked for in the body itself.
 */
async function partsOfMultipart(client: ImapFlow, uid: number, structure: MessageStructureObject): Promise<OpenedParts> {
  const choice = chooseTextPart(structure);
  const attachments = listAttachments(structure, choice);
  const unreadable = (choice?.size ?? 0) === 0 && attachments.total === 0;
  if (!choice && !unreadable) return { found: null, attachments };
  const raw = await fetchSection(client, uid, unreadable ? 'TEXT' : choice!.part);
  const complete = raw.length <= BODY_MAX_BYTES;
  const bytes = complete ? raw : raw.subarray(0, BODY_MAX_BYTES);
  if (!unreadable) return { found: { bytes, choice: choice!, complete }, attachments };
  const top = contentInfo({ encoding: structure.encoding });
  const boundary = structure.parameters?.boundary;
  return { found: textOfPrefix(bytes, complete, { ...top, type: structure.type, ...(boundary ? { boundary } : {}) }), attachments };
}

/** At most BODY_MAX_BYTES of a section, and one byte more to tell whether there was more. */
async function fetchSection(client: ImapFlow, uid: number, section: string): Promise<Buffer> {
  const row = await client.fetchOne(String(uid), { uid: true, bodyParts: [{ key: section, start: 0, maxLength: BODY_MAX_BYTES + 1 }] }, { uid: true });
  return (row ? partBytes(row, section.toLowerCase()) : undefined) ?? Buffer.alloc(0);
}

/** The fields a list row and the reader's head show, each with whether it was cut. */
function shownHeaders(fields: Map<string, HeaderField>, row: FetchMessageObject): Pick<Preview, 'from' | 'subject' | 'date' | 'subjectCut' | 'fromCut'> {
  const fromField = fields.get('FROM');
  const sender: { from: Address; cut: boolean } = fromField ? parseSender(fromField.value, fromField.cut) : { from: {}, cut: false };
  const subjectField = fields.get('SUBJECT');
  const subject = subjectField ? decodeHeader(subjectField.value, subjectField.cut) : '';
  const subjectCut = (subjectField?.cut ?? false) || subject.length > MAX_SUBJECT;
  return {
    from: sender.from,
    subject: subject.length > MAX_SUBJECT ? subject.slice(0, MAX_SUBJECT).replace(/[\uD800-\uDBFF]$/, '') : subject,
    date: dateOf(fields.get('DATE'), row.internalDate),
    ...(subjectCut ? { subjectCut: true } : {}),
    ...(sender.cut ? { fromCut: true } : {}),
  };
}

/** imapflow keys a partial part by the section it asked for, lower-cased. */
function partBytes(row: FetchMessageObject, part: string): Buffer | undefined {
  return row.bodyParts?.get(part);
}

/** The Date header, else (missing, cut or unreadable) the INTERNALDATE. */
function dateOf(field: HeaderField | undefined, internalDate: FetchMessageObject['internalDate']): number {
  for (const value of [field && !field.cut ? field.value : undefined, internalDate]) {
    const time = value ? new Date(value).getTime() : NaN;
    if (Number.isFinite(time) && time > 0) return time;
  }
  return 0;
}
