/**
 * Bytes the helper reads from the server per new message, counted at the proxy between helper and
 * Dovecot, for messages of 2 KB to 25 MB. Each message has a long text part (16 KiB where it fits,
 * so the preview slice is always the full 8 KiB: the worst case) and a base64 attachment making up
 * the size. "Envelope and structure" is what a bare client reads for
 * `UID FETCH n (UID FLAGS ENVELOPE BODYSTRUCTURE INTERNALDATE)` of the same message, counted the same way.
 */
import { ImapFlow } from 'imapflow';
import { buildMessage } from '../test/harness/messages';
import { startProxy } from '../test/harness/proxy';
import { quiet, type Bench, type Row } from './bench';
import { summarize } from './stats';
import { PASS, USER, accountIdle, startBenchHelper, startMailWorld } from './world';

const SIZES = [
  { label: '2 KB', bytes: 2_000 },
  { label: '200 KB', bytes: 200_000 },
  { label: '5 MB', bytes: 5_000_000 },
  { label: '25 MB', bytes: 25_000_000 },
];
const TARGET_BEYOND = 8 * 1024;
const PROSE = 'The quarterly figures are attached; the summary below is what matters for Monday. ';

function messageOfSize(bytes: number, n: number): Buffer {
  const text = PROSE.repeat(Math.ceil(16_384 / PROSE.length)).slice(0, Math.min(16_384, bytes - 700));
  const plain = buildMessage({ subject: `Bytes ${n}`, text });
  const room = bytes - plain.length - 400;
  // base64 with CRLF every 76 characters carries 57 bytes per 78.
  return room > 0 ? buildMessage({ subject: `Bytes ${n}`, text, attachment: { size: Math.floor((room * 57) / 78) } }) : plain;
}

export const bytesBench: Bench = {
  name: 'bytes',
  title: 'Bytes read from the server per new message',
  async run({ quick, log }) {
    const perSize = quick ? 3 : 10;
    const world = await startMailWorld();
    const helper = await startBenchHelper(world, { via: 'proxy', name: 'bytes' });
    const refProxy = await startProxy({ targetHost: world.dovecot.host, targetPort: world.dovecot.port });
    const ref = new ImapFlow({ host: refProxy.host, port: refProxy.port, secure: false, auth: { user: USER, pass: PASS }, logger: false, disableAutoIdle: true });
    try {
      const client = await helper.client();
      await accountIdle(client);
      await ref.connect();
      await ref.mailboxOpen('INBOX');
      const rows: Row[] = [];
      let n = 0;
      for (const size of SIZES) {
        const totals: number[] = [];
        const refs: number[] = [];
        const sent: number[] = [];
        let actual = 0;
        for (let i = 0; i < perSize; i++) {
          const raw = messageOfSize(size.bytes, ++n);
          actual = raw.length;
          await quiet(() => world.proxy.bytesServerToClient + world.proxy.bytesClientToServer);
          const [inBefore, outBefore] = [world.proxy.bytesServerToClient, world.proxy.bytesClientToServer];
          const { uid } = await world.append(raw);
          await client.waitFor((m) => m.type === 'delta' && m.notify.some((k) => k.uid === uid), 30_000, `the delta of UID ${uid}`);
          await quiet(() => world.proxy.bytesServerToClient + world.proxy.bytesClientToServer);
          totals.push(world.proxy.bytesServerToClient - inBefore);
          sent.push(world.proxy.bytesClientToServer - outBefore);
          await ref.noop(); // learns of the new message first, so only the FETCH is counted
          const refBefore = refProxy.bytesServerToClient;
          await ref.fetchOne(String(uid), { uid: true, flags: true, envelope: true, bodyStructure: true, internalDate: true }, { uid: true });
          refs.push(refProxy.bytesServerToClient - refBefore);
        }
        const total = summarize(totals).p50;
        const envelope = summarize(refs).p50;
        const beyond = total - envelope;
        log(`${size.label} (${actual} bytes): read ${totals.join(', ')}; envelope+structure ${refs.join(', ')}; sent ${sent.join(', ')}`);
        rows.push({
          measure: `${size.label} message (${(actual / 1024).toFixed(0)} KiB): read from server, p50 of ${perSize}`,
          figure: `${total} B = ${envelope} B envelope+structure + ${beyond} B (${(beyond / 1024).toFixed(2)} KiB); sent ${summarize(sent).p50} B`,
          target: '≤ 8 KiB beyond envelope+structure, flat',
          met: beyond <= TARGET_BEYOND,
        });
      }
      return rows;
    } finally {
      await ref.logout().catch(() => ref.close());
      await refProxy.close();
      await helper.stop();
      await world.close();
    }
  },
};
