import { describe, expect, it } from 'vitest';
import { linkify } from '../../extension/text';

describe('linkify', () => {
  it('turns only http(s) URLs into links and keeps everything else as text', () => {
    expect(linkify('See https://example.com/a?b=1 and javascript:alert(1) or data:text/html,x.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and javascript:alert(1) or data:text/html,x.' },
    ]);
  });

  it('leaves sentence punctuation and unmatched brackets out of the link', () => {
    expect(linkify('(see http://a.example/x).')).toEqual([
      { kind: 'text', text: '(see ' },
      { kind: 'link', text: 'http://a.example/x', href: 'http://a.example/x' },
      { kind: 'text', text: ').' },
    ]);
    expect(linkify('https://en.wikipedia.org/wiki/Foo_(bar), yes')[0]).toMatchObject({ text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
  });

  it('keeps markup as plain text, never splitting it into anything else', () => {
    const html = '<script>alert(1)</script><a href="javascript:alert(1)">x</a>';
    expect(linkify(html)).toEqual([{ kind: 'text', text: html }]);
  });

  it('does not let a URL break out of its attribute', () => {
    const [, link] = linkify('x https://evil.example/"onmouseover="alert(1)');
    expect(link).toEqual({ kind: 'link', text: 'https://evil.example/', href: 'https://evil.example/' });
  });

  it('loses no character', () => {
    const text = 'a https://x.example/1, b http://y.example/(2) c\nhttps://z.example';
    expect(linkify(text).map((s) => s.text).join('')).toBe(text);
  });
});
