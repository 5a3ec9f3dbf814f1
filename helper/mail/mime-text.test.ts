import { describe, expect, it } from 'vitest';
import { BODY_MAX_BYTES, bodyText, decodeHeader, decodePartText, makeSnippet, SNIPPET_MAX_BYTES, type DecodeChoice } from './mime-text';

// Encoded bodies are written out byte for byte (made once with other tools), so the tests do not
// lean on the libraries under test to build their own input.
const plain = (charset: string, encoding: string): DecodeChoice => ({ type: 'text/plain', charset, encoding });
const html = (charset: string, encoding: string): DecodeChoice => ({ type: 'text/html', charset, encoding });
const ascii = (s: string) => Buffer.from(s, 'latin1');

const UTF8_TEXT = 'Grüße aus Köln — ein schöner Tag 🌞 mit Freunden.';
const UTF8_BASE64 = ascii('R3LDvMOfZSBhdXMgS8O2bG4g4oCUIGVpbiBzY2jDtm5lciBUYWcg8J+MniBtaXQgRnJldW5kZW4u\r\n');
const SJIS_TEXT = 'こんにちは、世界。日本語のテストです。';
const SJIS_BASE64 = ascii('grGC8YLJgr+CzYFBkKKKRYFCk/qWe4zqgsyDZYNYg2eCxYK3gUI=\r\n');
const JIS_TEXT = '件名：日本語のメール';
const JIS_7BIT = Buffer.from('1b2442376f4c3e2127467c4b5c386c244e2561213c256b1b2842', 'hex');
const QP_TEXT = 'Grüße, café — eine lange Zeile mit weichem Umbruch hier.\r\nZweite Zeile.';
const QP_UTF8 = ascii('Gr=C3=BC=C3=9Fe, caf=C3=A9 =E2=80=94 eine lange Zeile mit weichem Umbru=\r\nch hier.\r\nZweite Zeile.');

/** Every slice of `encoded` decodes to a prefix of `full`, with nothing left over from the cut. */
function expectCleanPrefixes(encoded: Buffer, choice: DecodeChoice, full: string) {
  for (let n = 0; n <= encoded.length; n++) {
    const text = decodePartText(encoded.subarray(0, n), choice, { complete: false });
    expect(full.startsWith(text), `slice of ${n} bytes gave ${JSON.stringify(text)}`).toBe(true);
    expect(text).not.toContain('\uFFFD');
  }
}

describe('decodePartText: transfer encodings and charsets', () => {
  it('decodes ISO-8859-1 quoted-printable', () => {
    const raw = ascii('Gr=FC=DFe, caf=E9!\r\nMit freundlichen Gr=FC=DFen');
    expect(decodePartText(raw, plain('ISO-8859-1', 'quoted-printable'), { complete: true })).toBe(
      'Grüße, café!\r\nMit freundlichen Grüßen',
    );
  });

  it('decodes Shift_JIS base64', () => {
    expect(decodePartText(SJIS_BASE64, plain('Shift_JIS', 'base64'), { complete: true })).toBe(SJIS_TEXT);
  });

  it('decodes GB2312 base64', () => {
    expect(decodePartText(ascii('xOO6w6OsysC95w=='), plain('gb2312', 'base64'), { complete: true })).toBe('你好，世界');
  });

  it('decodes ISO-2022-JP', () => {
    expect(decodePartText(JIS_7BIT, plain('ISO-2022-JP', '7bit'), { complete: true })).toBe(JIS_TEXT);
  });

  it('decodes windows-1252 smart quotes, dash and euro sign', () => {
    const raw = Buffer.from('93536d617274942071756f74657320972069749273208035', 'hex');
    expect(decodePartText(raw, plain('windows-1252', '8bit'), { complete: true })).toBe('“Smart” quotes — it’s €5');
  });

  it('decodes UTF-8 base64 whole', () => {
    expect(decodePartText(UTF8_BASE64, plain('utf-8', 'base64'), { complete: true })).toBe(UTF8_TEXT);
  });

  it('decodes an unknown charset as UTF-8 when the bytes are UTF-8, without throwing', () => {
    expect(decodePartText(Buffer.from('café ✓'), plain('x-made-up', '8bit'), { complete: true })).toBe('café ✓');
  });

  it('decodes an unknown charset as Windows-1252 when the bytes are not UTF-8: every byte stays a character', () => {
    const raw = Buffer.from('caf\xe9 cr\xe8me \x80', 'latin1');
    expect(decodePartText(raw, plain('x-no-such-charset', '8bit'), { complete: true })).toBe('café crème €');
    // UTF-7 is refused (it hides markup), and treated the same way.
    expect(decodePartText(Buffer.from('+ADw-b+AD4-'), plain('utf-7', '7bit'), { complete: true })).toBe('+ADw-b+AD4-');
  });

  it('passes an unknown transfer encoding through as bytes', () => {
    expect(decodePartText(ascii('plain words'), plain('us-ascii', 'x-uuencode'), { complete: true })).toBe('plain words');
  });

  it('keeps markup in a text/plain part as literal text', () => {
    const body = 'Look: <script>alert(1)</script> & <b>bold</b> &amp;';
    expect(decodePartText(Buffer.from(body), plain('utf-8', '7bit'), { complete: true })).toBe(body);
  });
});

describe('decodePartText: slices cut anywhere', () => {
  it('UTF-8 base64 cut mid-quantum and mid-character', () => {
    expectCleanPrefixes(UTF8_BASE64, plain('utf-8', 'base64'), UTF8_TEXT);
    // 52 base64 chars = 39 bytes, which end inside the 4-byte sun emoji.
    expect(decodePartText(UTF8_BASE64.subarray(0, 52), plain('utf-8', 'base64'), { complete: false })).toBe(
      'Grüße aus Köln — ein schöner Tag ',
    );
    // 3 chars: "Gr" and 2 bits of the "ü" lead byte.
    expect(decodePartText(ascii('R3L'), plain('utf-8', 'base64'), { complete: false })).toBe('Gr');
  });

  it('Shift_JIS base64 cut after a lead byte', () => {
    expectCleanPrefixes(SJIS_BASE64, plain('shift_jis', 'base64'), SJIS_TEXT);
    // 7 chars = 5 bytes: two characters and the lead byte of the third.
    expect(decodePartText(SJIS_BASE64.subarray(0, 7), plain('shift_jis', 'base64'), { complete: false })).toBe('こん');
  });

  it('ISO-2022-JP cut inside a byte pair or an escape sequence', () => {
    expectCleanPrefixes(JIS_7BIT, plain('iso-2022-jp', '7bit'), JIS_TEXT);
    expect(decodePartText(JIS_7BIT.subarray(0, 8), plain('iso-2022-jp', '7bit'), { complete: false })).toBe('件名');
  });

  it('quoted-printable cut mid "=C3" escape, mid character and at a soft break', () => {
    expectCleanPrefixes(QP_UTF8, plain('utf-8', 'quoted-printable'), QP_TEXT);
    const choice = plain('utf-8', 'quoted-printable');
    const cutAt = (marker: string) => QP_UTF8.subarray(0, QP_UTF8.indexOf(marker) + marker.length);
    expect(decodePartText(cutAt('caf=C'), choice, { complete: false })).toBe('Grüße, caf');
    expect(decodePartText(cutAt('caf=C3=A'), choice, { complete: false })).toBe('Grüße, caf');
    expect(decodePartText(cutAt('Umbru=\r'), choice, { complete: false })).toMatch(/Umbru$/);
    expect(decodePartText(cutAt('Umbru='), choice, { complete: false })).toMatch(/Umbru$/);
  });

  it('an ISO-8859-1 slice has no cut characters to drop', () => {
    const raw = ascii('caf=E9 cr=E8me');
    expect(decodePartText(raw.subarray(0, 11), plain('iso-8859-1', 'quoted-printable'), { complete: false })).toBe('café cr');
  });
});

describe('decodePartText: HTML to text', () => {
  const page =
    '<html><head><title>Promo</title><style>.x{color:red}</style></head><body>' +
    '<script>alert("x")</script><p>Tom &amp; Jerry &lt;3 caf&eacute;</p>' +
    '<p><a href="https://example.com/offer?id=1&amp;b=2">See the offer</a> or <a href="javascript:alert(1)">click</a>' +
    ' or mail <a href="mailto:help@example.com">us</a>.</p>' +
    '<img src="https://t.example/p.gif" onerror="alert(1)" alt="pixel"><img src=x onerror=alert(1)>' +
    '<table><tr><td>Left cell</td><td>Right cell</td></tr></table></body></html>';
  const text = decodePartText(Buffer.from(page), html('utf-8', '7bit'), { complete: true });

  it('drops script, style, title and images', () => {
    expect(text).not.toMatch(/alert|color|Promo|pixel|p\.gif|onerror/);
  });

  it('decodes entities', () => {
    expect(text).toContain('Tom & Jerry <3 café');
  });

  it('keeps web and mail links as text with the address, but not javascript: ones', () => {
    expect(text).toContain('See the offer [https://example.com/offer?id=1&b=2]');
    expect(text).toContain('us [help@example.com]');
    expect(text).toContain('click');
    expect(text).not.toContain('javascript');
  });

  it('leaves no markup', () => {
    expect(text).not.toMatch(/<[a-z/!]/i);
  });

  it('keeps table cells apart', () => {
    expect(text).toMatch(/Left cell\s+Right cell/);
  });

  it('decodes base64 HTML in its charset', () => {
    const raw = ascii(Buffer.from('<p>caf\xe9 &euro;</p>', 'latin1').toString('base64'));
    expect(decodePartText(raw, html('iso-8859-1', 'base64'), { complete: true })).toBe('café €');
  });

  it('shows no half tag, half entity or head content from a slice cut inside them', () => {
    const choice = html('utf-8', '7bit');
    const cut = (s: string) => decodePartText(Buffer.from(s), choice, { complete: false });
    expect(cut('<p>Hello <scr')).toBe('Hello');
    expect(cut('<p>Hello <a href="https://exa')).toBe('Hello');
    expect(cut('<p>Hello caf&eac')).toBe('Hello caf');
    expect(cut('<html><head><title>Subject</title><style>p { color: red')).toBe('');
  });

  it('drops a quoted-printable escape cut inside an attribute', () => {
    const raw = ascii('<p class=3D"x">Hi</p><a href=3D"https://e.com/=\r\nx">go</a><p class=3');
    expect(decodePartText(raw, html('utf-8', 'quoted-printable'), { complete: false })).toBe('Hi\n\ngo [https://e.com/x]');
  });
});

describe('makeSnippet', () => {
  it('collapses whitespace and strips control characters', () => {
    expect(makeSnippet('Hel\u0000lo\r\n\r\n   big\tworld\u0007!')).toBe('Hello big world!');
  });

  it('strips invisible preheader padding and bidi overrides', () => {
    expect(makeSnippet('\u200c\u00a0\u034f'.repeat(60) + 'Sale starts\u00ad now')).toBe('Sale starts now');
    expect(makeSnippet('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
  });

  it('skips quoted lines and the line introducing them', () => {
    const reply = 'Sounds good, see you then.\r\n\r\nOn Mon, 1 Jan 2024, Ann <ann@x.org> wrote:\r\n> Shall we meet?\r\n>\r\n> Monday?\r\n';
    expect(makeSnippet(reply)).toBe('Sounds good, see you then.');
  });

  it('keeps a line ending in a colon that no quote follows', () => {
    expect(makeSnippet('Agenda:\n- budget\n- hiring')).toBe('Agenda: - budget - hiring');
  });

  it('stops at a signature separator', () => {
    expect(makeSnippet('Thanks!\n-- \nBob\nACME Corp')).toBe('Thanks!');
    expect(makeSnippet('See below.\n________________________________\nFrom: Ann')).toBe('See below.');
    expect(makeSnippet('Fine.\n-----Original Message-----\nFrom: Ann')).toBe('Fine.');
  });

  it('falls back to the whole text when everything is quoted', () => {
    expect(makeSnippet('> only a quote\n> here')).toBe('> only a quote > here');
  });

  it('leaves a short text whole, without an ellipsis', () => {
    expect(makeSnippet('Short and sweet.')).toBe('Short and sweet.');
  });

  it('cuts a long text at a word boundary, ellipsis included in the 200', () => {
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const snippet = makeSnippet(long);
    expect(snippet.length).toBeLessThanOrEqual(200);
    expect(snippet.endsWith('…')).toBe(true);
    const kept = snippet.slice(0, -1);
    expect(long.startsWith(kept)).toBe(true);
    expect(long[kept.length]).toBe(' ');
    expect(kept.length).toBeGreaterThan(180);
  });

  it('honours a smaller maxChars', () => {
    expect(makeSnippet('The quick brown fox jumps over the lazy dog', 20)).toBe('The quick brown fox…');
  });

  it('hard-cuts text without spaces, never splitting a surrogate pair', () => {
    expect(makeSnippet('日本語'.repeat(100))).toBe('日本語'.repeat(100).slice(0, 199) + '…');
    const emoji = makeSnippet('🌞'.repeat(150));
    expect(emoji.length).toBeLessThanOrEqual(200);
    expect(emoji).toBe('🌞'.repeat(99) + '…');
  });
});

describe('bodyText', () => {
  const choice = plain('utf-8', '8bit');

  it('normalises line ends, shows a NUL as U+FFFD (not "thereafter") and keeps at most two blank lines in a row', () => {
    const raw = Buffer.from('Hi\r\nthere\u0000after\u0007\r\n\r\n\r\n \r\n\r\n\r\nBye\rnow\r\n\r\n\r\nEnd\n');
    expect(bodyText(raw, choice, true)).toEqual({ text: 'Hi\nthere\uFFFDafter\n\n\nBye\nnow\n\n\nEnd', truncated: false });
  });

  it('is truncated when the bytes are not the whole part, and drops the cut character', () => {
    const raw = Buffer.from('Grüße');
    // 5 bytes: "Grü" and the first byte of "ß".
    expect(bodyText(raw.subarray(0, 5), choice, false)).toEqual({ text: 'Grü', truncated: true });
  });

  it('keeps bidi controls in the body: the reader isolates each line, nothing is reordered here', () => {
    expect(bodyText(Buffer.from('Attachment: \u202Etxt.exe'), choice, true).text).toBe('Attachment: \u202Etxt.exe');
  });

  it('decodes the transfer encoding the same way', () => {
    expect(bodyText(SJIS_BASE64, plain('shift_jis', 'base64'), true)).toEqual({ text: SJIS_TEXT, truncated: false });
  });
});

describe('budgets', () => {
  it('reads 6 KiB of a body for a snippet and 40 KiB to open a message', () => {
    expect(SNIPPET_MAX_BYTES).toBe(6 * 1024);
    expect(BODY_MAX_BYTES).toBe(40 * 1024);
  });
});

describe('decodeHeader', () => {
  it('decodes a UTF-8 B word', () => {
    expect(decodeHeader('=?UTF-8?B?4pyTIMOgIGxhIG1vZGU=?=')).toBe('✓ à la mode');
  });

  it('decodes an ISO-8859-1 Q word with underscores as spaces', () => {
    expect(decodeHeader('=?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=')).toBe('Grüße aus Köln');
  });

  it('joins adjacent words, even a character split across them, and keeps plain text between words', () => {
    expect(decodeHeader('=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=')).toBe('café');
    expect(decodeHeader('Re: =?UTF-8?B?SGVs?=\r\n =?UTF-8?B?bG8=?= world')).toBe('Re: Hello world');
  });

  it('leaves malformed words as they are, without throwing', () => {
    expect(decodeHeader('=?UTF-8?X?abc?= and =?foo')).toBe('=?UTF-8?X?abc?= and =?foo');
  });

  it('decodes an unknown charset as UTF-8 with replacement', () => {
    expect(decodeHeader('=?x-made-up?Q?caf=E9?=')).toBe('caf\uFFFD');
  });

  it('removes control characters and bidi overrides that encoded words can carry', () => {
    expect(decodeHeader('=?UTF-8?B?AEhpAQ==?= =?UTF-8?Q?=E2=80=AEfdp.exe?=')).toBe('Hifdp.exe');
  });

  it('decodes a cut B word up to its last whole quantum, dropping a character cut in two', () => {
    const word = `=?UTF-8?B?${Buffer.from('Grüße aus Köln').toString('base64')}?=`;
    // Cut after "Grüße aus K" and the first byte of "ö" (16 base64 characters cover 12 bytes).
    expect(decodeHeader(word.slice(0, 10 + 18), true)).toBe('Grüße aus');
    expect(decodeHeader(word.slice(0, 10 + 16), true)).toBe('Grüße aus');
    expect(decodeHeader(word.slice(0, 10 + 17), true)).toBe('Grüße aus');
  });

  it('decodes a cut Q word up to its last whole escape, and drops a word cut before its text', () => {
    expect(decodeHeader('Re: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F', true)).toBe('Re: Grüße aus K');
    expect(decodeHeader('Re: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=', true)).toBe('Re: Grüße aus K');
    expect(decodeHeader('Re: =?ISO-8859-', true)).toBe('Re:');
    expect(decodeHeader('Re: =?UTF-8?B?', true)).toBe('Re:');
  });

  it('leaves complete words alone when cut after them, and drops raw UTF-8 cut in a character', () => {
    expect(decodeHeader('=?UTF-8?Q?caf=C3=A9?= and mo', true)).toBe('café and mo');
    expect(decodeHeader('Grüße \uFFFD', true)).toBe('Grüße');
  });

  it('unfolds a folded header', () => {
    expect(decodeHeader('A long\r\n subject\r\n\tline')).toBe('A long subject line');
  });
});
