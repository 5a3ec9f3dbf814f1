import libmime from 'libmime';

/** What the demo mailbox says: a welcome, then a new message now and then. Plain text only. */
export interface DemoMessage {
  from: string;
  subject: string;
  text: string;
}

export const WELCOME: DemoMessage[] = [
  {
    from: 'Mail Notifier <demo@localhost>',
    subject: 'Welcome — this is the demo account',
    text: 'This mailbox lives inside the helper on your machine, so you can try the badge, the popup and notifications without an account. A new demo message arrives every couple of minutes. Add your real account in the extension settings: the demo account then goes away.',
  },
  {
    from: 'Mail Notifier <demo@localhost>',
    subject: 'Try the popup keys',
    text: 'Use the arrow keys or j / k to move, Enter to open a message, Esc to go back, r to mark read or unread, a to archive and # to delete.',
  },
];

export const TRICKLE: DemoMessage[] = [
  { from: 'Ada <ada@demo.localhost>', subject: 'Lunch on Thursday?', text: 'Shall we try the new place near the station? I can book a table for 12:30.' },
  { from: 'Build bot <ci@demo.localhost>', subject: 'Nightly build passed', text: 'All 412 checks passed in 7 minutes. No action needed.' },
  { from: 'Grace <grace@demo.localhost>', subject: 'Slides for Monday', text: 'Here is the outline for the talk. Could you look at the part about IDLE before Friday?' },
  { from: 'Newsletter <news@demo.localhost>', subject: 'This week: local-first software', text: 'Why your data should live on your own devices first, and sync second.' },
];

export function toRaw(message: DemoMessage, date: Date, n: number): string {
  return [
    `From: ${message.from}`,
    'To: you@demo.localhost',
    // Encoded words, as real mail does: header bytes are ASCII on the wire.
    `Subject: ${libmime.encodeWords(message.subject, 'Q', 52)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <demo-${date.getTime()}-${n}@demo.localhost>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    message.text,
    '',
  ].join('\r\n');
}
