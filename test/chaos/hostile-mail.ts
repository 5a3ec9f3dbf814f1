/**
 * Malformed and hostile messages, byte-for-byte fixed: what a mail server will store and hand to
 * the helper whatever a sender made of MIME. `markup` marks the ones whose text can only come
 * from HTML: their previews and bodies must carry none of it. `expect` says what the reader must
 * show of the message; `bodyStructureBytes` marks the shapes whose BODYSTRUCTURE alone is longer
 * than the budget for opening a message (IMAP cannot read part of one; docs/BENCHMARKS.md).
 */
export interface HostileMessage {
  name: string;
  raw: Buffer;
  markup: boolean;
  expect?: {
    /** Text the opened body must hold (a substring). */
    body?: string;
    /** Text the list row's snippet must hold. */
    snippet?: string;
    subjectCut?: boolean;
    /** Recipients the reader counts, and whether it says "more than". */
    toTotal?: number;
    toCut?: boolean;
    /** Attachments named (list length) and counted. */
    attachments?: number;
    attachmentTotal?: number;
  };
  bodyStructureBytes?: true;
}

const CRLF = '\r\n';
const HTML = '<html><head><style>p{color:red}</style><script>alert("x")</script></head><body><p>Hello <b>there</b>'
  + '<img src="https://tracker.example/p.gif" onerror="alert(1)"><a href="javascript:alert(2)">click</a></p></body></html>';

function message(headers: string[], body: string | Buffer, from = 'Mallory <mallory@example.test>', to = 'victim@example.test'): Buffer {
  const head = [
    `From: ${from}`,
    `To: ${to}`,
    'Date: Fri, 02 Jan 2026 03:04:05 +0000',
    'MIME-Version: 1.0',
    ...headers,
  ].join(CRLF);
  return Buffer.concat([Buffer.from(`${head}${CRLF}${CRLF}`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

function nested(depth: number): string {
  let body = `Content-Type: text/html; charset=utf-8${CRLF}${CRLF}${HTML}${CRLF}`;
  for (let level = depth; level > 0; level--) {
    const boundary = `nest${level}`;
    body = `Content-Type: multipart/mixed; boundary="${boundary}"${CRLF}${CRLF}--${boundary}${CRLF}${body}--${boundary}--${CRLF}`;
  }
  return body;
}

function parts(boundary: string, entities: string[]): string {
  return `${entities.map((entity) => `--${boundary}${CRLF}${entity}${CRLF}`).join('')}--${boundary}--${CRLF}`;
}

const attachment = (name: string, size: number) =>
  `Content-Type: application/pdf; name="${name}"${CRLF}Content-Disposition: attachment; filename="${name}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`
  + Buffer.alloc(size, 'pdf ').toString('base64').replace(/.{76}/g, `$&${CRLF}`);

export function hostileCorpus(): HostileMessage[] {
  const nest = nested(200);
  const nestHead = nest.slice(0, nest.indexOf(CRLF + CRLF));
  return [
    { name: '5,000 recipients in To', markup: false, expect: { toCut: true },
      raw: message(['Subject: all hands', 'Content-Type: text/plain'], 'to everyone', undefined,
        Array.from({ length: 5000 }, (_, i) => `"Recipient ${i}" <r${i}@example.test>`).join(`,${CRLF} `)) },
    { name: 'every field shown 1 MB long, and a 200 KB body', markup: false, expect: { subjectCut: true, body: 'w'.repeat(1000) },
      raw: message([`Subject: ${'S'.repeat(1_048_576)}`, `Date: ${'D'.repeat(1_048_576)}`, `Content-Type: text/plain; x="${'t'.repeat(1_048_576)}"`,
        `Content-Transfer-Encoding: 8bit${' '.repeat(1_048_576)}`], 'w'.repeat(200_000), `"${'F'.repeat(1_048_576)}" <f@example.test>`) },
    { name: '50 recipients in To', markup: false, expect: { toTotal: 50, toCut: false },
      raw: message(['Subject: team', 'Content-Type: text/plain'], 'to the team', undefined,
        Array.from({ length: 50 }, (_, i) => `"Member ${i}" <m${i}@example.test>`).join(`,${CRLF} `)) },
    { name: '200 KB single-line body', markup: false, expect: { body: 'w'.repeat(1000) }, raw: message(['Subject: one line', 'Content-Type: text/plain'], 'w'.repeat(200_000)) },
    { name: 'boundary declared but never used', markup: false, expect: { body: 'the text that is there', snippet: 'the text that is there' },
      raw: message(['Subject: broken boundary', 'Content-Type: multipart/mixed; boundary="declared"'],
        parts('other', [`Content-Type: text/plain${CRLF}${CRLF}the text that is there`])) },
    { name: 'single part named as a file', markup: false, expect: { body: 'the one part', snippet: 'the one part' },
      raw: message(['Subject: one part', 'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"'], 'the one part') },
    { name: 'single part with a bare type', markup: false, expect: { body: 'odd type text' }, raw: message(['Subject: odd type', 'Content-Type: text'], 'odd type text') },
    { name: 'attachment only', markup: false, expect: { body: '', attachments: 1, attachmentTotal: 1 },
      raw: message(['Subject: attachment only', 'Content-Type: multipart/mixed; boundary="b"'], parts('b', [attachment('scan.pdf', 3000)])) },
    { name: 'bidi override in the body', markup: false, expect: { body: 'Attachment: \u202Etxt.exe' },
      raw: message(['Subject: bidi', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'], Buffer.from('Attachment: \u202Etxt.exe\r\nnext line\r\n')) },
    { name: '25 MB message', markup: false, expect: { body: 'before a 25 MB attachment', attachments: 1 },
      raw: message(['Subject: 25 MB', 'Content-Type: multipart/mixed; boundary="b"'],
        parts('b', [`Content-Type: text/plain${CRLF}${CRLF}before a 25 MB attachment`, attachment('big.pdf', 18_750_000)])) },
    { name: '5,000 attachments', markup: false, bodyStructureBytes: true, expect: { body: 'many files', attachments: 20, attachmentTotal: 5000 },
      raw: message(['Subject: many files', 'Content-Type: multipart/mixed; boundary="b"'],
        parts('b', [`Content-Type: text/plain${CRLF}${CRLF}many files`, ...Array.from({ length: 5000 }, (_, i) => attachment(`f${i}.pdf`, 3))])) },
    { name: '1 MB attachment name', markup: false, bodyStructureBytes: true, expect: { body: 'a long name', attachments: 1 },
      raw: message(['Subject: long name', 'Content-Type: multipart/mixed; boundary="b"'],
        parts('b', [`Content-Type: text/plain${CRLF}${CRLF}a long name`, attachment(`${'n'.repeat(1_000_000)}.pdf`, 3)])) },
    { name: 'broken boundaries', markup: true, raw: message(['Subject: broken boundaries', 'Content-Type: multipart/alternative; boundary="declared"'],
      `--other${CRLF}Content-Type: text/plain${CRLF}${CRLF}lost text${CRLF}--declared${CRLF}Content-Type: text/html${CRLF}${CRLF}${HTML}${CRLF}--decla`) },
    { name: 'no boundary parameter', markup: false, raw: message(['Subject: no boundary', 'Content-Type: multipart/mixed'], `just text${CRLF}`) },
    { name: 'unknown charset', markup: false, expect: { body: 'café crème' }, raw: message(['Subject: unknown charset', 'Content-Type: text/plain; charset="x-no-such-charset"'], 'caf\xe9 cr\xe8me') },
    { name: 'charset with markup in it', markup: true, raw: message(['Subject: charset markup', 'Content-Type: text/html; charset="utf-8\\"><script>alert(1)</script>"'], HTML) },
    { name: 'utf-7 html', markup: true, raw: message(['Subject: utf-7', 'Content-Type: text/html; charset=utf-7'], '+ADw-script+AD4-alert(1)+ADw-/script+AD4-<b>bold</b>') },
    { name: 'huge header block (5,000 lines)', markup: false, raw: message(['Subject: huge headers', ...Array.from({ length: 5000 }, (_, i) => `X-Junk-${i}: ${'j'.repeat(60)}`)], 'after the headers') },
    { name: 'one 200 KB header line', markup: false, raw: message(['Subject: long header', `X-Long: ${'L'.repeat(200_000)}`], 'body') },
    { name: '200 nested multiparts', markup: true, raw: message(['Subject: deep nesting', nestHead], nest.slice(nestHead.length + 4)) },
    { name: '10,000 recipients', markup: false, raw: Buffer.concat([
      Buffer.from(`Cc: ${Array.from({ length: 10_000 }, (_, i) => `r${i}@example.test`).join(`,${CRLF} `)}${CRLF}`),
      message(['Subject: many recipients', 'Content-Type: text/plain'], 'to everyone'),
    ]) },
    // Dovecot sends a stored NUL as 0x80; either way the reader shows U+FFFD, not "beforeafter".
    { name: 'NUL bytes in header and body', markup: false, expect: { body: 'before\uFFFD\uFFFDafter' }, raw: message(['Subject: nul\0in\0subject', 'Content-Type: text/plain'], 'before\0\0after') },
    { name: 'invalid base64', markup: true, raw: message(['Subject: bad base64', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64'], `!!!@@@###${CRLF}PGI+Ym9sZDwvYj4=${CRLF}====${CRLF}%%%`) },
    { name: 'invalid quoted-printable', markup: false, raw: message(['Subject: bad qp', 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable'], `=ZZ=4=${CRLF}=XY end=`) },
    { name: 'unknown transfer encoding', markup: false, raw: message(['Subject: x-uuencode', 'Content-Type: text/plain', 'Content-Transfer-Encoding: x-uuencode'], 'begin 644 f\n#0V%T\n`\nend') },
    { name: '1 MB subject', markup: false, expect: { subjectCut: true, body: 'small body' }, raw: message([`Subject: ${'S'.repeat(1_048_576)}`, 'Content-Type: text/plain'], 'small body') },
    { name: 'encoded-word subject with markup and bidi override', markup: false,
      raw: message([`Subject: =?utf-8?B?${Buffer.from('<b>Invoice</b> \u202Egnp.exe').toString('base64')}?=`, 'Content-Type: text/plain'], 'text') },
    { name: 'encoded-word line breaks and controls in subject and sender name', markup: false,
      raw: message([`Subject: =?utf-8?B?${Buffer.from('Urgent\r\nBcc: everyone\u0007\u0000').toString('base64')}?=`, 'Content-Type: text/plain'], 'text',
        `=?utf-8?B?${Buffer.from('Bank\u202E\r\nSecurity').toString('base64')}?= <bank@example.test>`) },
    { name: 'HTML cut inside a tag at the 8 KiB preview slice', markup: true,
      raw: message(['Subject: cut html', 'Content-Type: text/html'], `<p>${'x'.repeat(8180)}<a href="https://example.test/${'y'.repeat(100)}">link</a></p>`) },
    { name: '1 MB single-line body', markup: false, raw: message(['Subject: long line', 'Content-Type: text/plain'], 'w'.repeat(1_048_576)) },
    { name: 'bare LF line ends, no MIME headers', markup: false, raw: Buffer.from('From: lf@example.test\nSubject: bare LF\n\nline one\nline two\n') },
    { name: 'headers only, no body', markup: false, raw: Buffer.from(`From: a@example.test${CRLF}Subject: no body${CRLF}`) },
    { name: 'garbage header lines', markup: false, raw: message(['Subject: garbage', 'this line has no colon', ': empty name', 'Content-Type: ;;;===;'], 'still text') },
    { name: 'message/rfc822 wrapping broken MIME', markup: true, raw: message(['Subject: wrapped', 'Content-Type: message/rfc822'],
      `Content-Type: multipart/mixed; boundary=x${CRLF}${CRLF}--x${CRLF}Content-Type: text/html${CRLF}${CRLF}${HTML}`) },
    { name: 'HTML-only newsletter', markup: true, expect: { body: 'Hello there', snippet: 'Hello there' }, raw: message(['Subject: newsletter', 'Content-Type: text/html; charset=utf-8'], HTML) },
  ];
}
