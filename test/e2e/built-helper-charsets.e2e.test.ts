/**
 * Japanese mail through the built helper (bin.mjs → dist/helper) and a real Dovecot, where the
 * build does two things the source-level tests in test/mail never see: ISO-2022-JP is decoded by
 * encoding-japanese, which the build loads only when a message first needs it, and EUC-JP by
 * iconv-lite, which the build leaves outside the bundle (scripts/build-helper.mjs). libmime falls
 * back to UTF-8 when a decoder fails, so a broken load shows here as mojibake, not as an error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tokensFile } from '../../helper/run-helper';
import { TokenStore } from '../../helper/server/tokens';
import type { DeltaMessage, Preview } from '../../protocol';
import { helperHome, type HelperHome } from '../chaos/helper-home';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { recordSecret } from '../harness/test-log';
import { connect, type TestClient } from '../server/helpers';
import { startHelperProcess, type HelperProcess } from './helper-process';

const USER = 'kanji';
const PASS = recordSecret('e2e-charsets-pass-31');

let dovecot: DovecotServer;
let other: OtherDevice;
let home: HelperHome;
let helper: HelperProcess;
let client: TestClient;

/** A message whose subject and text are in `charset`, given as the bytes that charset makes. */
function japaneseMessage(charset: string, subject: Buffer, text: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      [
        'From: Taro <taro@example.test>',
        'To: kanji@example.test',
        `Subject: =?${charset}?B?${subject.toString('base64')}?=`,
        'Date: Mon, 23 Nov 2026 09:00:00 +0000',
        `Message-ID: <${charset}@example.test>`,
        'MIME-Version: 1.0',
        `Content-Type: text/plain; charset=${charset}`,
        'Content-Transfer-Encoding: base64',
        '',
        text.toString('base64'),
        '',
      ].join('\r\n'),
      'latin1',
    ),
  ]);
}

beforeAll(async () => {
  dovecot = await startDovecot({ profile: 'stock', users: [{ user: USER, pass: PASS }] });
  other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  home = await helperHome({ host: dovecot.host, port: dovecot.port, user: USER, pass: PASS });
  const { token } = await new TokenStore({ file: tokensFile(home.paths) }).issue('charsets test');
  recordSecret(token);
  helper = await startHelperProcess({ home: home.home, port: home.port, name: 'charsets' });
  client = await connect(helper.port);
  expect((await client.auth(token)).type).toBe('result');
  await client.waitFor((m) => (m.type === 'snapshot' || m.type === 'account') && m.account.state === 'idle', 30_000, 'the account in IDLE');
}, 60_000);

afterAll(async () => {
  client?.close();
  await helper?.stop();
  await other?.close();
  await home?.remove();
  await dovecot?.stop();
});

async function previewOf(raw: Buffer, subjectWanted: string): Promise<Preview> {
  const next = client.waitForNext<DeltaMessage>((m) => m.type === 'delta' && m.added.length > 0, 20_000, 'the new message');
  await other.append('INBOX', raw);
  const delta = await next;
  expect(delta.added.map((p) => p.subject)).toEqual([subjectWanted]);
  return delta.added[0];
}

it('decodes ISO-2022-JP subjects and text', async () => {
  // 会議の件 / 明日の会議は十時からです。 in ISO-2022-JP (JIS X 0208 between ESC $ B and ESC ( B).
  const subject = Buffer.from('GyRCMnE1RCRON28bKEI=', 'base64');
  const text = Buffer.from('GyRCTEBGfCROMnE1RCRPPT07fiQrJGkkRyQ5ISMbKEI=', 'base64');
  const preview = await previewOf(japaneseMessage('ISO-2022-JP', subject, text), '会議の件');
  expect(preview.snippet).toBe('明日の会議は十時からです。');
});

it('decodes EUC-JP subjects and text', async () => {
  // 東京 / 天気は晴れです。 in EUC-JP.
  const subject = Buffer.from([0xc5, 0xec, 0xb5, 0xfe]);
  const text = Buffer.from([0xc5, 0xb7, 0xb5, 0xa4, 0xa4, 0xcf, 0xc0, 0xb2, 0xa4, 0xec, 0xa4, 0xc7, 0xa4, 0xb9, 0xa1, 0xa3]);
  const preview = await previewOf(japaneseMessage('EUC-JP', subject, text), '東京');
  expect(preview.snippet).toBe('天気は晴れです。');
});
