import type { ImapAttributeList, MessageStructureObject } from 'imapflow';
import { parser } from 'imapflow/lib/handler/imap-handler';
import { parseBodystructure } from 'imapflow/lib/tools';
import { describe, expect, it } from 'vitest';
import { listAttachments, MAX_ATTACHMENT_NAME, MAX_ATTACHMENTS } from './attachments';
import { chooseTextPart } from './text-part';

async function structureOf(wire: string): Promise<MessageStructureObject> {
  const response = await parser(Buffer.from(`* 1 FETCH (BODYSTRUCTURE ${wire})`));
  return parseBodystructure((response.attributes?.[1] as ImapAttributeList)[1] as ImapAttributeList);
}

const attachments = async (wire: string) => {
  const structure = await structureOf(wire);
  return listAttachments(structure, chooseTextPart(structure));
};

const PLAIN = '("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 80 3 NIL NIL NIL NIL)';
const HTML = '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 700 15 NIL NIL NIL NIL)';
const pdf = (name: string, size = 7800) => `("APPLICATION" "PDF" ("NAME" "${name}") NIL NIL "BASE64" ${size} NIL ("attachment" ("FILENAME" "${name}")) NIL NIL)`;

describe('listAttachments', () => {
  it('names each attachment with its type and decoded size, and not the text or its HTML alternative', async () => {
    const list = await attachments(`((${PLAIN}${HTML} "ALTERNATIVE" ("BOUNDARY" "a") NIL NIL NIL)${pdf('report.pdf')}("TEXT" "PLAIN" ("NAME" "notes.txt") NIL NIL "7BIT" 60 2 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "m") NIL NIL NIL)`);
    expect(list).toEqual({
      // 7,800 base64 bytes with CRLFs every 76 characters carry 5,700 bytes.
      list: [{ name: 'report.pdf', type: 'application/pdf', size: 5700 }, { name: 'notes.txt', type: 'text/plain', size: 60 }],
      total: 2,
    });
  });

  it('leaves out the pictures an HTML part embeds (inline, with a Content-ID, in a multipart/related)', async () => {
    const logo = '("IMAGE" "PNG" ("NAME" "logo.png") "<logo@x>" NIL "BASE64" 3000 NIL ("inline" ("FILENAME" "logo.png")) NIL NIL)';
    expect(await attachments(`((${HTML}${logo} "RELATED" ("BOUNDARY" "r") NIL NIL NIL)${pdf('a.pdf', 78)} "MIXED" ("BOUNDARY" "m") NIL NIL NIL)`))
      .toEqual({ list: [{ name: 'a.pdf', type: 'application/pdf', size: 57 }], total: 1 });
  });

  it('lists a message that is one attachment, and no text', async () => {
    expect(await attachments(pdf('only.pdf', 156))).toEqual({ list: [{ name: 'only.pdf', type: 'application/pdf', size: 114 }], total: 1 });
  });

  it(`lists at most ${MAX_ATTACHMENTS} and counts them all; cuts a long name and strips controls and bidi overrides`, async () => {
    const many = Array.from({ length: 60 }, (_, i) => pdf(`f${i}.pdf`, 78)).join('');
    const result = await attachments(`(${PLAIN}${many} "MIXED" ("BOUNDARY" "m") NIL NIL NIL)`);
    expect(result.list).toHaveLength(MAX_ATTACHMENTS);
    expect(result.total).toBe(60);
    const odd = await attachments(`(${PLAIN}${pdf(`${'n'.repeat(5000)}.pdf`)}${pdf('invoice\u202Efdp.exe')} "MIXED" ("BOUNDARY" "m") NIL NIL NIL)`);
    expect(odd.list[0].name).toHaveLength(MAX_ATTACHMENT_NAME);
    expect(odd.list[0].name.endsWith('…')).toBe(true);
    expect(odd.list[1].name).toBe('invoicefdp.exe');
  });
});
