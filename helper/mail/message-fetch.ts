/**
 * Fetching what the user sees of a message, at the smallest cost: envelope and structure, then a
 * partial, non-marking BODY.PEEK of the one text part (8 KiB for a preview), so a 25 MB message
 * costs no more than a 2 KB one. Parts arrive in their transfer encoding (no BINARY is asked for:
 * iCloud has none), and are decoded here.
 */
import type { FetchMessageObject, ImapFlow, MessageAddressObject } from 'imapflow';
import type { Address, Body, MessageKey, Preview } from '../../protocol';
import type { MailboxView } from './mailbox-view';
import { bodyText, decodePartText, oneLine, makeSnippet, slicePlan } from './mime-text';
import { chooseTextPart, type TextPartChoice } from './text-part';

const HEADER_QUERY = { uid: true, envelope: true, bodyStructure: true, internalDate: true, flags: true } as const;
const MAX_TEXT = 4096;

export async function fetchPreviews(client: ImapFlow, view: MailboxView, uids: number[]): Promise<Preview[]> {
  const rows = await client.fetchAll(uids.join(','), HEADER_QUERY, { uid: true });
  const choices = new Map<number, TextPartChoice>();
  for (const row of rows) {
    const choice = row.bodyStructure ? chooseTextPart(row.bodyStructure) : null;
    if (choice) choices.set(row.uid, choice);
  }
  const slices = await fetchSlices(client, choices);
  return rows.map((row) => {
    const choice = choices.get(row.uid);
    const raw = slices.get(row.uid);
    const text = choice && raw ? decodePartText(raw, choice, { complete: raw.length >= choice.size }) : '';
    return {
      key: view.key(row.uid),
      from: address(row.envelope?.from?.[0]),
      subject: clip(oneLine(row.envelope?.subject ?? '')),
      date: dateOf(row),
      snippet: makeSnippet(text),
      seen: row.flags?.has('\\Seen') ?? false,
    };
  });
}

/** One FETCH per distinct part id, so most messages share a single command. */
async function fetchSlices(client: ImapFlow, choices: Map<number, TextPartChoice>): Promise<Map<number, Buffer>> {
  const byPart = new Map<string, number[]>();
  for (const [uid, choice] of choices) byPart.set(choice.part, [...(byPart.get(choice.part) ?? []), uid]);
  const slices = new Map<number, Buffer>();
  for (const [part, uids] of byPart) {
    const { maxLength } = slicePlan({ encoding: '7bit' }, 'snippet');
    const rows = await client.fetchAll(uids.join(','), { uid: true, bodyParts: [{ key: part, start: 0, maxLength }] }, { uid: true });
    for (const row of rows) {
      const raw = partBytes(row, part);
      if (raw) slices.set(row.uid, raw);
    }
  }
  return slices;
}

export async function fetchBody(client: ImapFlow, key: MessageKey): Promise<Body | null> {
  const row = await client.fetchOne(String(key.uid), { ...HEADER_QUERY, size: true }, { uid: true });
  if (!row) return null;
  const choice = row.bodyStructure ? chooseTextPart(row.bodyStructure) : null;
  let text = '';
  let truncated = false;
  if (choice) {
    const plan = slicePlan(choice, 'body');
    const part = await client.fetchOne(String(key.uid), { uid: true, bodyParts: [{ key: choice.part, ...plan }] }, { uid: true });
    const raw = part ? partBytes(part, choice.part) : undefined;
    if (raw) ({ text, truncated } = bodyText(raw, choice, { partSize: choice.size }));
  }
  return {
    key,
    from: address(row.envelope?.from?.[0]),
    to: (row.envelope?.to ?? []).slice(0, 50).map(address),
    subject: clip(oneLine(row.envelope?.subject ?? '')),
    date: dateOf(row),
    text: text || (choice ? '' : 'This message has no text part.'),
    truncated,
  };
}

/** imapflow keys a partial part by the section it asked for; accept either spelling. */
function partBytes(row: FetchMessageObject, part: string): Buffer | undefined {
  const parts = row.bodyParts;
  if (!parts) return undefined;
  return parts.get(part) ?? [...parts.entries()].find(([key]) => key.startsWith(`${part}`))?.[1];
}

function address(entry: MessageAddressObject | undefined): Address {
  const out: Address = {};
  if (entry?.name) out.name = clip(oneLine(entry.name), 1024);
  if (entry?.address) out.address = clip(entry.address, 1024);
  return out;
}

function dateOf(row: FetchMessageObject): number {
  const candidates = [row.envelope?.date, row.internalDate];
  for (const value of candidates) {
    const time = value ? new Date(value).getTime() : NaN;
    if (Number.isFinite(time) && time > 0) return time;
  }
  return 0;
}

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? text.slice(0, max) : text;
}
