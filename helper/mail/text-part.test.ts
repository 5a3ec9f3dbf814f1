import type { ImapAttributeList, MessageStructureObject } from 'imapflow';
import { parser } from 'imapflow/lib/handler/imap-handler';
import { parseBodystructure } from 'imapflow/lib/tools';
import { describe, expect, it } from 'vitest';
import { chooseTextPart } from './text-part';

// Each structure is written out as imapflow's parser produces it (a root without `part`,
// lowercased types, encodings and dispositions, parameter names lowercased, values as sent),
// next to the BODYSTRUCTURE it comes from; the first test proves the two agree.
const fixtures: Record<string, { wire: string; structure: MessageStructureObject }> = {
  singlePlain: {
    wire: '("TEXT" "PLAIN" ("CHARSET" "ISO-8859-1") NIL NIL "QUOTED-PRINTABLE" 120 3 NIL NIL NIL NIL)',
    structure: { type: 'text/plain', parameters: { charset: 'ISO-8859-1' }, encoding: 'quoted-printable', size: 120, lineCount: 3 },
  },
  bare: {
    wire: '("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)',
    structure: { type: 'text/plain', encoding: '7bit', size: 10, lineCount: 1 },
  },
  htmlOnly: {
    wire: '("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 4000 52 NIL NIL NIL NIL)',
    structure: { type: 'text/html', parameters: { charset: 'UTF-8' }, encoding: 'base64', size: 4000, lineCount: 52 },
  },
  alternative: {
    wire:
      '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 300 10 NIL NIL NIL NIL)' +
      '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "BASE64" 2000 26 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "alt") NIL NIL NIL)',
    structure: {
      childNodes: [
        { part: '1', type: 'text/plain', parameters: { charset: 'utf-8' }, encoding: 'quoted-printable', size: 300, lineCount: 10 },
        { part: '2', type: 'text/html', parameters: { charset: 'utf-8' }, encoding: 'base64', size: 2000, lineCount: 26 },
      ],
      type: 'multipart/alternative',
      parameters: { boundary: 'alt' },
    },
  },
  mixedWithTextAttachments: {
    wire:
      '(("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 900 20 NIL NIL NIL NIL)' +
      '("TEXT" "PLAIN" ("CHARSET" "us-ascii" "NAME" "notes.txt") NIL NIL "BASE64" 400 6 NIL ("attachment" ("FILENAME" "notes.txt")) NIL NIL)' +
      '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 50 2 NIL ("inline" ("FILENAME" "readme.txt")) NIL NIL)' +
      '("TEXT" "PLAIN" ("CHARSET" "us-ascii" "NAME" "log.txt") NIL NIL "7BIT" 60 2 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "mix") NIL NIL NIL)',
    structure: {
      childNodes: [
        { part: '1', type: 'text/html', parameters: { charset: 'utf-8' }, encoding: '7bit', size: 900, lineCount: 20 },
        {
          part: '2',
          type: 'text/plain',
          parameters: { charset: 'us-ascii', name: 'notes.txt' },
          encoding: 'base64',
          size: 400,
          lineCount: 6,
          disposition: 'attachment',
          dispositionParameters: { filename: 'notes.txt' },
        },
        {
          part: '3',
          type: 'text/plain',
          parameters: { charset: 'us-ascii' },
          encoding: '7bit',
          size: 50,
          lineCount: 2,
          disposition: 'inline',
          dispositionParameters: { filename: 'readme.txt' },
        },
        { part: '4', type: 'text/plain', parameters: { charset: 'us-ascii', name: 'log.txt' }, encoding: '7bit', size: 60, lineCount: 2 },
      ],
      type: 'multipart/mixed',
      parameters: { boundary: 'mix' },
    },
  },
  relatedInsideAlternative: {
    wire:
      '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 80 3 NIL NIL NIL NIL)' +
      '(("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 700 15 NIL NIL NIL NIL)' +
      '("IMAGE" "PNG" ("NAME" "logo.png") "<logo@x>" NIL "BASE64" 3000 NIL ("inline" ("FILENAME" "logo.png")) NIL NIL)' +
      ' "RELATED" ("BOUNDARY" "rel") NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "alt") NIL NIL NIL)',
    structure: {
      childNodes: [
        { part: '1', type: 'text/plain', parameters: { charset: 'utf-8' }, encoding: '7bit', size: 80, lineCount: 3 },
        {
          part: '2',
          childNodes: [
            { part: '2.1', type: 'text/html', parameters: { charset: 'utf-8' }, encoding: 'quoted-printable', size: 700, lineCount: 15 },
            {
              part: '2.2',
              type: 'image/png',
              parameters: { name: 'logo.png' },
              id: '<logo@x>',
              encoding: 'base64',
              size: 3000,
              disposition: 'inline',
              dispositionParameters: { filename: 'logo.png' },
            },
          ],
          type: 'multipart/related',
          parameters: { boundary: 'rel' },
        },
      ],
      type: 'multipart/alternative',
      parameters: { boundary: 'alt' },
    },
  },
  alternativeInsideRelatedInsideMixed: {
    wire:
      '(((("TEXT" "PLAIN" ("CHARSET" "windows-1252") NIL NIL "QUOTED-PRINTABLE" 210 7 NIL NIL NIL NIL)' +
      '("TEXT" "HTML" ("CHARSET" "windows-1252") NIL NIL "QUOTED-PRINTABLE" 900 20 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "alt") NIL NIL NIL)' +
      '("IMAGE" "GIF" NIL "<img@x>" NIL "BASE64" 1000 NIL NIL NIL NIL) "RELATED" ("BOUNDARY" "rel") NIL NIL NIL)' +
      '("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 90000 NIL ("attachment" ("FILENAME" "a.pdf")) NIL NIL) "MIXED" ("BOUNDARY" "mix") NIL NIL NIL)',
    structure: {
      childNodes: [
        {
          part: '1',
          childNodes: [
            {
              part: '1.1',
              childNodes: [
                { part: '1.1.1', type: 'text/plain', parameters: { charset: 'windows-1252' }, encoding: 'quoted-printable', size: 210, lineCount: 7 },
                { part: '1.1.2', type: 'text/html', parameters: { charset: 'windows-1252' }, encoding: 'quoted-printable', size: 900, lineCount: 20 },
              ],
              type: 'multipart/alternative',
              parameters: { boundary: 'alt' },
            },
            { part: '1.2', type: 'image/gif', id: '<img@x>', encoding: 'base64', size: 1000 },
          ],
          type: 'multipart/related',
          parameters: { boundary: 'rel' },
        },
        {
          part: '2',
          type: 'application/pdf',
          parameters: { name: 'a.pdf' },
          encoding: 'base64',
          size: 90000,
          disposition: 'attachment',
          dispositionParameters: { filename: 'a.pdf' },
        },
      ],
      type: 'multipart/mixed',
      parameters: { boundary: 'mix' },
    },
  },
  imageOnly: {
    wire: '("IMAGE" "JPEG" ("NAME" "photo.jpg") NIL NIL "BASE64" 50000 NIL ("attachment" ("FILENAME" "photo.jpg")) NIL NIL)',
    structure: {
      type: 'image/jpeg',
      parameters: { name: 'photo.jpg' },
      encoding: 'base64',
      size: 50000,
      disposition: 'attachment',
      dispositionParameters: { filename: 'photo.jpg' },
    },
  },
  forwardedOnly: {
    wire:
      '(("IMAGE" "PNG" NIL NIL NIL "BASE64" 2000 NIL ("inline" NIL) NIL NIL)' +
      '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 ("Mon, 1 Jan 2024 00:00:00 +0000" "Fwd" NIL NIL NIL NIL NIL NIL NIL NIL)' +
      ' ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 100 5 NIL NIL NIL NIL) 12 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "mix") NIL NIL NIL)',
    structure: {
      childNodes: [
        { part: '1', type: 'image/png', encoding: 'base64', size: 2000, disposition: 'inline' },
        {
          part: '2',
          type: 'message/rfc822',
          encoding: '7bit',
          size: 500,
          envelope: { date: new Date('2024-01-01T00:00:00.000Z'), subject: 'Fwd' },
          // imapflow numbers the encapsulated body like its wrapper: BODY[2] would be the whole
          // forwarded message, headers and all.
          childNodes: [{ part: '2', type: 'text/plain', parameters: { charset: 'us-ascii' }, encoding: '7bit', size: 100, lineCount: 5 }],
          lineCount: 12,
        },
      ],
      type: 'multipart/mixed',
      parameters: { boundary: 'mix' },
    },
  },
  emptyPlainBesideHtml: {
    wire:
      '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)' +
      '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 500 9 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "alt") NIL NIL NIL)',
    structure: {
      childNodes: [
        { part: '1', type: 'text/plain', parameters: { charset: 'utf-8' }, encoding: '7bit', size: 0, lineCount: 0 },
        { part: '2', type: 'text/html', parameters: { charset: 'utf-8' }, encoding: '7bit', size: 500, lineCount: 9 },
      ],
      type: 'multipart/alternative',
      parameters: { boundary: 'alt' },
    },
  },
};

async function parseWire(wire: string): Promise<MessageStructureObject> {
  const response = await parser(Buffer.from(`* 1 FETCH (BODYSTRUCTURE ${wire})`));
  const items = response.attributes?.[1] as ImapAttributeList;
  return parseBodystructure(items[1] as ImapAttributeList);
}

describe('fixtures', () => {
  it.each(Object.entries(fixtures))('%s is what imapflow parses from its BODYSTRUCTURE', async (_name, { wire, structure }) => {
    expect(await parseWire(wire)).toEqual(structure);
  });
});

describe('chooseTextPart', () => {
  it('gives a single-part message part 1, with its charset and encoding', () => {
    expect(chooseTextPart(fixtures.singlePlain.structure)).toEqual({
      part: '1',
      type: 'text/plain',
      charset: 'ISO-8859-1',
      encoding: 'quoted-printable',
      size: 120,
    });
  });

  it('defaults a missing charset to utf-8', () => {
    expect(chooseTextPart(fixtures.bare.structure)).toEqual({ part: '1', type: 'text/plain', charset: 'utf-8', encoding: '7bit', size: 10 });
  });

  it('defaults a missing encoding to 7bit and lowercases one given in capitals', () => {
    expect(chooseTextPart({ type: 'text/plain', size: 5 })?.encoding).toBe('7bit');
    expect(chooseTextPart({ type: 'text/plain', encoding: 'BASE64', size: 5 })?.encoding).toBe('base64');
  });

  it('takes an HTML-only message as html', () => {
    expect(chooseTextPart(fixtures.htmlOnly.structure)).toEqual({ part: '1', type: 'text/html', charset: 'UTF-8', encoding: 'base64', size: 4000 });
  });

  it('prefers the plain alternative to the html one', () => {
    expect(chooseTextPart(fixtures.alternative.structure)).toMatchObject({ part: '1', type: 'text/plain', encoding: 'quoted-printable', size: 300 });
  });

  it('never takes a text attachment (disposition attachment, a filename, or a name) as the body', () => {
    expect(chooseTextPart(fixtures.mixedWithTextAttachments.structure)).toMatchObject({ part: '1', type: 'text/html' });
  });

  it('finds plain text beside a multipart/related html', () => {
    expect(chooseTextPart(fixtures.relatedInsideAlternative.structure)).toMatchObject({ part: '1', type: 'text/plain' });
  });

  it('finds plain text three levels down', () => {
    expect(chooseTextPart(fixtures.alternativeInsideRelatedInsideMixed.structure)).toEqual({
      part: '1.1.1',
      type: 'text/plain',
      charset: 'windows-1252',
      encoding: 'quoted-printable',
      size: 210,
    });
  });

  it('finds html inside multipart/related when there is no plain text', () => {
    const relatedOnly = fixtures.relatedInsideAlternative.structure.childNodes![1];
    expect(chooseTextPart(relatedOnly)).toMatchObject({ part: '2.1', type: 'text/html', encoding: 'quoted-printable' });
  });

  it('gives null for a message that is only an image', () => {
    expect(chooseTextPart(fixtures.imageOnly.structure)).toBeNull();
  });

  it('does not descend into a forwarded message/rfc822', () => {
    expect(chooseTextPart(fixtures.forwardedOnly.structure)).toBeNull();
  });

  it('takes the html when the plain alternative is empty', () => {
    expect(chooseTextPart(fixtures.emptyPlainBesideHtml.structure)).toMatchObject({ part: '2', type: 'text/html' });
  });

  it('takes a single part that is text whatever its name or disposition: it is the whole message', () => {
    expect(chooseTextPart({ type: 'text/plain', parameters: { name: 'notes.txt' }, disposition: 'attachment', size: 9 })).toMatchObject({ part: '1', type: 'text/plain' });
    expect(chooseTextPart({ type: 'text/enriched', size: 9 })).toMatchObject({ part: '1', type: 'text/plain' });
    expect(chooseTextPart({ type: 'application/pdf', parameters: { name: 'a.pdf' }, size: 9 })).toBeNull();
  });

  it('still takes an empty plain part when it is the only text', () => {
    const onlyEmpty: MessageStructureObject = { ...fixtures.emptyPlainBesideHtml.structure, childNodes: fixtures.emptyPlainBesideHtml.structure.childNodes!.slice(0, 1) };
    expect(chooseTextPart(onlyEmpty)).toMatchObject({ part: '1', type: 'text/plain', size: 0 });
  });
});
