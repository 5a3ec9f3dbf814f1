import type { MessageStructureObject } from 'imapflow';

export type TextPartType = 'text/plain' | 'text/html';

/** The one body part the session fetches a slice of, for the snippet and for quick-read. */
export interface TextPartChoice {
  /** IMAP part id for BODY.PEEK[part]; '1' for a single-part message. */
  part: string;
  type: TextPartType;
  /** Charset from Content-Type, as given; 'utf-8' when absent (a superset of the RFC default us-ascii). */
  charset: string;
  /** Content-Transfer-Encoding, lowercased; '7bit' when absent. */
  encoding: string;
  /** Encoded size in octets from BODYSTRUCTURE; 0 when the server gave none. */
  size: number;
}

/**
 * Picks the part to show: a single part that is text whatever its name or disposition (it is the
 * whole message); in a multipart the first inline text/plain, else the first inline text/html,
 * else null. Walks multiparts depth-first in document order; message/rfc822 is not descended, as
 * a forwarded message's text is not this message's text.
 */
export function chooseTextPart(structure: MessageStructureObject): TextPartChoice | null {
  if (!structure.type.startsWith('multipart/')) {
    return structure.type.startsWith('text/') ? toChoice({ ...structure, type: structure.type === 'text/html' ? 'text/html' : 'text/plain' }) : null;
  }
  let plain: MessageStructureObject | undefined;
  let emptyPlain: MessageStructureObject | undefined;
  let html: MessageStructureObject | undefined;
  for (const node of leafParts(structure)) {
    if (isAttachment(node)) continue;
    if (node.type === 'text/plain') {
      // An empty plain alternative beside real HTML would preview as nothing.
      if (node.size === 0) emptyPlain ??= node;
      else {
        plain = node;
        break;
      }
    } else if (node.type === 'text/html') html ??= node;
  }
  const chosen = plain ?? html ?? emptyPlain;
  return chosen ? toChoice(chosen) : null;
}

function* leafParts(node: MessageStructureObject): Generator<MessageStructureObject> {
  if (node.type.startsWith('multipart/')) {
    for (const child of node.childNodes ?? []) yield* leafParts(child);
  } else {
    yield node;
  }
}

function isAttachment(node: MessageStructureObject): boolean {
  return (
    node.disposition === 'attachment' ||
    Boolean(node.dispositionParameters?.filename) ||
    Boolean(node.parameters?.name)
  );
}

function toChoice(node: MessageStructureObject): TextPartChoice {
  return {
    // imapflow gives the root of a single-part message no part number; its body is part 1.
    part: node.part ?? '1',
    type: node.type as TextPartType,
    charset: node.parameters?.charset?.trim() || 'utf-8',
    encoding: node.encoding?.trim().toLowerCase() || '7bit',
    size: node.size ?? 0,
  };
}
