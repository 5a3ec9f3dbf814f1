/**
 * Bytes the helper reads from the server, counted at the proxy between helper and Dovecot:
 * (1) per new message, for messages of 2 KB to 25 MB, each with a long text part (16 KiB where it
 * fits, so the body slice is always full: the worst case) and a base64 attachment making up the
 * size; (2) per new message and to open it, over the hostile corpus of chaos scenario 8 (a 1 MB
 * subject, every shown field 1 MB, 5,000 recipients, a 200 KB line, broken MIME, 25 MB, …).
 * For reference, what a bare client reads for `UID FETCH n (UID FLAGS ENVELOPE BODYSTRUCTURE
 * INTERNALDATE)` of the same message, counted the same way (what the helper read before).
 */
import { ImapFlow } from 'imapflow';
import { hostileCorpus } from '../test/chaos/hostile-mail';
import { NEW_MESSAGE_BYTES, OPEN_BYTES } from '../test/chaos/scenarios/hostile-mail';
import { buildMessage } from '../test/harness/messages';
import { startProxy } from '../test/harness/proxy';
import type { TestClient } from '../test/server/helpers';
import type { DeltaMessage, MessageKey } from '../protocol';
import { quiet, type Bench, type Row } from './bench';
import { summarize } from './stats';
import { PASS, USER, accountIdle, startBenchHelper, startMailWorld, type MailWorld } from './world';

const SIZES = [
  { label: '2 KB', bytes: 2_000 },
  { label: '200 KB', bytes: 200_000 },
  { label: '5 MB', bytes: 5_000_000 },
  { label: '25 MB', bytes: 25_000_000 },
];
const PROSE = 'The quarterly figures are attached; the summary below is what matters for Monday. ';
const KIB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function messageOfSize(bytes: number, n: number): Buffer {
  const text = PROSE.repeat(Math.ceil(16_384 / PROSE.length)).slice(0, Math.min(16_384, bytes - 700));
  const plain = buildMessage({ subject: `Bytes ${n}`, text });
  const room = bytes - plain.length - 400;
  // base64 with CRLF every 76 characters carries 57 bytes per 78.
  return room > 0 ? buildMessage({ subject: `Bytes ${n}`, text, attachment: { size: Math.floor((room * 57) / 78) } }) : plain;
}

/** Bytes server → client while `work` runs, from a quiet link to a quiet link. */
async function readDuring(world: MailWorld, work: () => Promise<unknown>): Promise<number> {
  const traffic = () => world.proxy.bytesServerToClient + world.proxy.bytesClientToServer;
  await quiet(traffic);
  const before = world.proxy.bytesServerToClient;
  await work();
  await quiet(traffic);
  return world.proxy.bytesServerToClient - before;
}

async function deliver(world: MailWorld, client: TestClient, raw: Buffer): Promise<MessageKey> {
  const { uid } = await world.append(raw);
  const delta = await client.waitFor<DeltaMessage>((m) => m.type === 'delta' && m.notify.some((k) => k.uid === uid), 30_000, `the delta of UID ${uid}`);
  return delta.notify.find((k) => k.uid === uid)!;
}

const pct = (values: number[]) => `median ${summarize(values).p50} B, worst ${Math.max(...values)} B`;

export const bytesBench: Bench = {
  name: 'bytes',
  title: 'Bytes read from the server per new message and to open one',
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
      const envelopeOf = async (uid: number) => {
        await ref.noop(); // learns of the new message first, so only the FETCH is counted
        const before = refProxy.bytesServerToClient;
        await ref.fetchOne(String(uid), { uid: true, flags: true, envelope: true, bodyStructure: true, internalDate: true }, { uid: true });
        return refProxy.bytesServerToClient - before;
      };
      const rows: Row[] = [];
      let n = 0;
      for (const size of SIZES) {
        const totals: number[] = [];
        const refs: number[] = [];
        let actual = 0;
        for (let i = 0; i < perSize; i++) {
          const raw = messageOfSize(size.bytes, ++n);
          actual = raw.length;
          let key: MessageKey | undefined;
          totals.push(await readDuring(world, async () => { key = await deliver(world, client, raw); }));
          refs.push(await envelopeOf(key!.uid));
        }
        log(`${size.label} (${actual} bytes): read ${totals.join(', ')}; ENVELOPE+BODYSTRUCTURE alone ${refs.join(', ')}`);
        const total = summarize(totals).p50;
        rows.push({
          measure: `${size.label} message (${(actual / 1024).toFixed(0)} KiB): read from server per new message, p50 of ${perSize}`,
          figure: `${total} B (${KIB(total)}); a bare client's ENVELOPE+BODYSTRUCTURE of it: ${summarize(refs).p50} B`,
          target: `≤ ${NEW_MESSAGE_BYTES / 1024} KiB, flat in size`,
          met: Math.max(...totals) <= NEW_MESSAGE_BYTES,
        });
      }

      const newCosts: number[] = [];
      const openCosts: number[] = [];
      const refCosts: number[] = [];
      const heavy: string[] = [];
      for (const item of hostileCorpus()) {
        let key: MessageKey | undefined;
        const read = await readDuring(world, async () => { key = await deliver(world, client, item.raw); });
        const open = await readDuring(world, async () => {
          const reply = await client.request({ type: 'get-body', accountId: 'bench', key, markSeen: false }, 30_000);
          if (reply.type !== 'result') throw new Error(`get-body of ${item.name}: ${JSON.stringify(reply).slice(0, 200)}`);
        });
        const reference = await envelopeOf(key!.uid);
        log(`hostile: ${item.name}: new ${read} B, open ${open} B; ENVELOPE+BODYSTRUCTURE alone ${reference} B`);
        newCosts.push(read);
        refCosts.push(reference);
        if (item.bodyStructureBytes) heavy.push(`${item.name} ${open} B`);
        else openCosts.push(open);
      }
      const corpus = `${newCosts.length} hostile messages (chaos 8's corpus)`;
      rows.push({
        measure: `${corpus}: read from server per new message`,
        figure: `${pct(newCosts)} (a bare client's ENVELOPE+BODYSTRUCTURE: median ${summarize(refCosts).p50} B, worst ${Math.max(...refCosts)} B)`,
        target: `≤ ${NEW_MESSAGE_BYTES / 1024} KiB whatever the headers`,
        met: Math.max(...newCosts) <= NEW_MESSAGE_BYTES,
      });
      rows.push({
        measure: `${corpus}: read from server to open one (all but ${heavy.length})`,
        figure: pct(openCosts),
        target: `≤ ${OPEN_BYTES / 1024} KiB whatever the message`,
        met: Math.max(...openCosts) <= OPEN_BYTES,
      });
      rows.push({ measure: 'to open one whose BODYSTRUCTURE is as long as its sender made it (IMAP cannot read part of it)', figure: heavy.join('; ') });
      return rows;
    } finally {
      await ref.logout().catch(() => ref.close());
      await refProxy.close();
      await helper.stop();
      await world.close();
    }
  },
};
