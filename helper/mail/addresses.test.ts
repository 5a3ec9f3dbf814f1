import { describe, expect, it } from 'vitest';
import { parseAddressList, parseSender } from './addresses';

describe('parseSender', () => {
  it('decodes an encoded-word name after parsing, so a comma in it does not split the address', () => {
    const name = `=?utf-8?B?${Buffer.from('Smith, Ann').toString('base64')}?=`;
    expect(parseSender(`${name} <ann@x.test>`, false)).toEqual({ from: { name: 'Smith, Ann', address: 'ann@x.test' }, cut: false });
  });

  it('keeps a display name that looks like an address apart from the real address', () => {
    expect(parseSender('"security@bank.test" <mallory@evil.test>', false).from).toEqual({ name: 'security@bank.test', address: 'mallory@evil.test' });
  });

  it('a sender cut in its name: the name read so far, marked cut, and no fragment of an address', () => {
    expect(parseSender(`"${'A'.repeat(40)}`, true)).toEqual({ from: { name: 'A'.repeat(40) }, cut: true });
    expect(parseSender('Mallory <m@exa', true)).toEqual({ from: { name: 'Mallory' }, cut: true });
  });
});

describe('parseAddressList', () => {
  const to = Array.from({ length: 120 }, (_, i) => `"R ${i}" <r${i}@x.test>`).join(',\r\n ');

  it('lists the first ones and counts them all', () => {
    const parsed = parseAddressList(to, false, 50);
    expect(parsed.list).toHaveLength(50);
    expect(parsed.list[0]).toEqual({ name: 'R 0', address: 'r0@x.test' });
    expect(parsed.total).toBe(120);
    expect(parsed.cut).toBe(false);
  });

  it('cut: the last address read may be a fragment, so it is not counted, and the count is "more than"', () => {
    const parsed = parseAddressList(to.slice(0, to.indexOf('r60@') + 3), true, 50);
    expect(parsed.total).toBe(60);
    expect(parsed.cut).toBe(true);
  });
});
