import { describe, expect, it } from 'vitest';
import { parseHeaderBlock } from './header-fields';

const block = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parseHeaderBlock', () => {
  it('unfolds fields, keys them by upper-case name, keeps the first occurrence', () => {
    const fields = parseHeaderBlock(block('From: Ann <a@x.test>', 'Subject: one', '  two', 'subject: second', '', ''), false);
    expect(fields.get('FROM')).toEqual({ value: 'Ann <a@x.test>', cut: false });
    expect(fields.get('SUBJECT')).toEqual({ value: 'one  two', cut: false });
  });

  it('marks the last field cut when the block was, and only that one', () => {
    const fields = parseHeaderBlock(block('Date: Fri, 02 Jan 2026 03:04:05 +0000', `Subject: ${'S'.repeat(50)}`), true);
    expect(fields.get('DATE')?.cut).toBe(false);
    expect(fields.get('SUBJECT')?.cut).toBe(true);
  });

  it('reads raw UTF-8, and Latin-1 bytes that are not UTF-8, without a cut character at the end', () => {
    expect(parseHeaderBlock(Buffer.from('Subject: Grüße\r\n'), false).get('SUBJECT')?.value).toBe('Grüße');
    expect(parseHeaderBlock(Buffer.from('Subject: Gr\xfc\xdfe\r\n', 'latin1'), false).get('SUBJECT')?.value).toBe('Grüße');
    const cutInCharacter = Buffer.from('Subject: Grü').subarray(0, -1);
    expect(parseHeaderBlock(cutInCharacter, true).get('SUBJECT')).toEqual({ value: 'Gr', cut: true });
  });
});
