/**
 * The attachments a reader names, from BODYSTRUCTURE: nothing of them is downloaded.
 */
import type { MessageStructureObject } from 'imapflow';
import type { Attachment } from '../../protocol';
import type { ContentInfo } from './mime-prefix';
import { oneLine } from './mime-text';
import type { TextPartChoice } from './text-part';

export const MAX_ATTACHMENTS = 20;
export const MAX_ATTACHMENT_NAME = 200;

export interface AttachmentList {
  list: Attachment[];
  total: number;
}

/**
 * Every leaf but the text shown, its other rendering (the HTML beside a plain part) and the
 * pictures an HTML part embeds (inline with a Content-ID in a multipart/related): the first
 * MAX_ATTACHMENTS, and how many there are.
 */
export function listAttachments(structure: MessageStructureObject, shown: TextPartChoice | null): AttachmentList {
  const list: Attachment[] = [];
  let total = 0;
  for (const { node, parent } of leaves(structure, undefined)) {
    // imapflow gives the root of a single-part message no part number; its body is part 1.
    if ((node.part ?? '1') === shown?.part || isAlternativeText(node) || isEmbedded(node, parent)) continue;
    total++;
    if (list.length < MAX_ATTACHMENTS) list.push(describe(node));
  }
  return { list, total };
}

function* leaves(node: MessageStructureObject, parent: MessageStructureObject | undefined): Generator<{ node: MessageStructureObject; parent?: MessageStructureObject }> {
  if (!node.type.startsWith('multipart/')) yield { node, parent };
  else for (const child of node.childNodes ?? []) yield* leaves(child, node);
}

/**
 * A message that is one part and not text (a scanner's PDF): that part, sized from the whole
 * message (RFC822.SIZE), as its BODYSTRUCTURE is not read.
 */
export function singlePartAttachment(info: ContentInfo, messageSize: number): AttachmentList {
  return { list: [attachment(info.name ?? '', info.type, messageSize, info.encoding)], total: 1 };
}

function describe(node: MessageStructureObject): Attachment {
  return attachment(node.dispositionParameters?.filename ?? node.parameters?.name ?? '', node.type, node.size ?? 0, node.encoding);
}

function attachment(rawName: string, type: string, encodedSize: number, encoding: string | undefined): Attachment {
  const name = oneLine(rawName);
  return {
    name: name.length > MAX_ATTACHMENT_NAME ? `${name.slice(0, MAX_ATTACHMENT_NAME - 1)}…` : name,
    type: oneLine(type).slice(0, 127),
    size: decodedSize(encodedSize, encoding),
  };
}

/** BODYSTRUCTURE gives the encoded size; base64 carries 57 bytes in each 78 (76 characters and CRLF). */
function decodedSize(size: number, encoding: string | undefined): number {
  return encoding?.toLowerCase() === 'base64' ? Math.floor((size * 57) / 78) : size;
}

function isAlternativeText(node: MessageStructureObject): boolean {
  return (node.type === 'text/plain' || node.type === 'text/html') && !named(node) && node.disposition !== 'attachment';
}

function isEmbedded(node: MessageStructureObject, parent: MessageStructureObject | undefined): boolean {
  return parent?.type === 'multipart/related' && node.disposition !== 'attachment' && Boolean(node.id);
}

function named(node: MessageStructureObject): boolean {
  return Boolean(node.dispositionParameters?.filename || node.parameters?.name);
}
