import { describe, expect, it } from 'vitest';
import { contentInfo, textOfPrefix, type ContentInfo } from './mime-prefix';
import { decodePartText } from './mime-text';

const CRLF = '\r\n';
const top = (contentType?: string, encoding?: string): ContentInfo => contentInfo({ contentType, encoding });

/** The text shown from a body prefix, decoded as the preview decodes it. */
function shown(body: string, info: ContentInfo, complete = true): string | null {
  const found = textOfPrefix(Buffer.from(body, 'latin1'), complete, info);
  return found ? decodePartText(found.bytes, found.choice, { complete: found.complete }) : null;
}

describe('contentInfo', () => {
  it('reads type, charset, boundary and encoding; a missing or garbled type is text/plain (RFC 2045)', () => {
    expect(top('Multipart/Mixed; boundary="=_b 1"', 'Base64')).toEqual({ type: 'multipart/mixed', charset: 'utf-8', boundary: '=_b 1', encoding: 'base64', attachment: false });
    expect(top(undefined).type).toBe('text/plain');
    expect(top(';;;===;').type).toBe('text/plain');
    expect(top('text').type).toBe('text/plain');
    expect(top('text/plain; name="notes.txt"')).toMatchObject({ attachment: true, name: 'notes.txt' });
    expect(contentInfo({ contentType: 'application/pdf', disposition: "attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf" }).name).toBe('Résumé.pdf');
  });
});

describe('textOfPrefix', () => {
  it('shows a single part that is text, whatever its name, and nothing for one that is not', () => {
    expect(shown('just text', top())).toBe('just text');
    expect(shown('just text', top('text/plain; name="notes.txt"'))).toBe('just text');
    expect(shown('<p>Hello <b>there</b></p>', top('text/html'))).toBe('Hello there');
    expect(shown('%PDF-1.4', top('application/pdf'))).toBeNull();
  });

  it('takes the plain alternative over the HTML one, and the HTML when it is the only text', () => {
    const body = [`--a`, 'Content-Type: text/plain; charset=utf-8', '', 'plain words', '--a', 'Content-Type: text/html', '', '<p>html words</p>', '--a--', ''].join(CRLF);
    expect(shown(body, top('multipart/alternative; boundary=a'))).toBe('plain words');
    const htmlOnly = [`--a`, 'Content-Type: text/html', '', '<p>html words</p>', '--a--', ''].join(CRLF);
    expect(shown(htmlOnly, top('multipart/alternative; boundary=a'))).toBe('html words');
  });

  it('follows nested multiparts and skips attachments, also text ones', () => {
    const body = [
      '--m', 'Content-Type: text/plain; name="log.txt"', 'Content-Disposition: attachment', '', 'not this', '--m',
      'Content-Type: multipart/alternative; boundary="a"', '', '--a', 'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable', '', 'Gr=FC=DFe', '--a--', '--m--', '',
    ].join(CRLF);
    expect(shown(body, top('multipart/mixed; boundary=m'))).toBe('Grüße');
  });

  it('a slice cut in the middle: the part is incomplete and a delimiter cut in two is not text', () => {
    const body = ['--m', 'Content-Type: text/plain', '', 'the start of a long text', '--'].join(CRLF);
    const found = textOfPrefix(Buffer.from(body), false, top('multipart/mixed; boundary=m'));
    expect(found?.complete).toBe(false);
    expect(found?.bytes.toString()).toBe('the start of a long text');
  });

  it('a declared boundary that never comes: the boundary the parts use is tried, else the text that is there', () => {
    const mismatch = ['--other', 'Content-Type: text/plain', '', 'the text that is there', '--other--', ''].join(CRLF);
    expect(shown(mismatch, top('multipart/mixed; boundary="declared"'))).toBe('the text that is there');
    expect(shown(`just text${CRLF}`, top('multipart/mixed'))).toBe('just text\r\n');
    expect(shown(`no delimiter at all${CRLF}`, top('multipart/mixed; boundary="declared"'))).toBe('no delimiter at all\r\n');
  });

  it('a message that is only attachments has no text', () => {
    const body = ['--m', 'Content-Type: image/png; name="p.png"', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgo=', '--m--', ''].join(CRLF);
    expect(shown(body, top('multipart/mixed; boundary=m'))).toBeNull();
  });

  it('a message/rfc822 body: the text of the message it holds', () => {
    const body = ['Subject: inner', 'Content-Type: text/plain', '', 'inner words'].join(CRLF);
    expect(shown(body, top('message/rfc822'))).toBe('inner words');
  });

  it('stops following multiparts nested deeper than any real message', () => {
    let body = `Content-Type: text/plain${CRLF}${CRLF}deep${CRLF}`;
    for (let level = 40; level > 0; level--) body = `Content-Type: multipart/mixed; boundary="n${level}"${CRLF}${CRLF}--n${level}${CRLF}${body}--n${level}--${CRLF}`;
    const [, inner] = /^Content-Type: multipart\/mixed; boundary="n1"\r\n\r\n([\s\S]*)$/.exec(body)!;
    expect(shown(inner, top('multipart/mixed; boundary="n1"'))).toBeNull();
  });
});
