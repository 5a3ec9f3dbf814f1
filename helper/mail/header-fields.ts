/**
 * Reading the header fields a message is shown with, never more than a bounded slice of them: a
 * sender controls their length (a 1 MB subject, 5,000 recipients), and ENVELOPE or a plain
 * HEADER.FIELDS would bring all of it. Each round is one `BODY.PEEK[HEADER.FIELDS (…)]<0.N+1>`
 * (imapflow's `headersMaxLength`, patched in: patches/imapflow+*.patch); one byte more than the
 * cap is asked for, so a slice longer than the cap says the fields went on.
 */
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow';
import { decodeUnlabelled } from './mime-text';

export interface HeaderField {
  /** The first occurrence, unfolded; bytes as UTF-8 (RFC 6532), or Latin-1 when they are not UTF-8. */
  value: string;
  /** The value ran past the bytes read. */
  cut: boolean;
}

export interface HeaderRead {
  row: FetchMessageObject;
  fields: Map<string, HeaderField>;
}

/**
 * Fetches `fields` (upper-case names) of each UID, at most `capBytes` of them per round, with
 * `first` (other FETCH items) in the first round's command. The server answers in the message's
 * own order, so a huge field can fill a round: the fields the cut left unread are asked for again,
 * without the ones already read, so every field costs at most one round of `capBytes` and there
 * are at most as many rounds as fields.
 */
export async function fetchHeaderFields(
  client: ImapFlow,
  uids: number[],
  fields: readonly string[],
  capBytes: number,
  first: FetchQueryObject = {},
): Promise<Map<number, HeaderRead>> {
  const reads = new Map<number, HeaderRead>();
  let pending = new Map<string, number[]>([[fields.join(' '), uids]]);
  for (let round = 0; round < fields.length && pending.size > 0; round++) {
    const next = new Map<string, number[]>();
    for (const [wanted, group] of pending) {
      const names = wanted.split(' ');
      const query = { ...(round === 0 ? first : {}), uid: true, headers: names, headersMaxLength: capBytes + 1 };
      for (const row of await client.fetchAll(group.join(','), query, { uid: true })) {
        const raw = row.headers ?? Buffer.alloc(0);
        const cut = raw.length > capBytes;
        const found = parseHeaderBlock(cut ? raw.subarray(0, capBytes) : raw, cut);
        const read = reads.get(row.uid) ?? { row, fields: new Map<string, HeaderField>() };
        for (const [name, field] of found) if (!read.fields.has(name)) read.fields.set(name, field);
        reads.set(row.uid, read);
        const unread = cut ? names.filter((name) => !found.has(name)) : [];
        // A round that found nothing cannot make progress; it does not happen with a real server.
        if (unread.length > 0 && found.size > 0) next.set(unread.join(' '), [...(next.get(unread.join(' ')) ?? []), row.uid]);
      }
    }
    pending = next;
  }
  return reads;
}

/**
 * Header lines as the server gives them for HEADER.FIELDS: the first occurrence of each field,
 * unfolded. With `cut`, the block ended mid-way and the last field read is marked cut.
 */
export function parseHeaderBlock(raw: Buffer, cut: boolean): Map<string, HeaderField> {
  const text = decodeUnlabelled(raw, cut);
  const fields = new Map<string, HeaderField>();
  let last: HeaderField | undefined;
  let lastIsNew = false;
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) {
      last = undefined;
      continue;
    }
    const name = line.slice(0, colon).toUpperCase();
    last = { value: line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim(), cut: false };
    lastIsNew = !fields.has(name);
    if (lastIsNew) fields.set(name, last);
  }
  if (cut && last && lastIsNew) last.cut = true;
  return fields;
}
