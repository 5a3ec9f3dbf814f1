import type { Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeltaMessage } from '../../protocol';
import { makeAccount, makePreview } from './fake-mail-service';
import { connectAuthenticated, expectNoSecretsLogged, nextLogLine, startTestHelper, withTimeout, type TestClient, type TestHelper } from './helpers';

let helper: TestHelper | undefined;
let clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await helper?.stop();
  helper = undefined;
});
afterAll(() => expectNoSecretsLogged());

const snapshots = [{ account: makeAccount('work'), previews: [] }];

function deltaNumber(n: number, size: 'small' | 'large' = 'small'): Omit<DeltaMessage, 'type'> {
  // A large delta is about 400 KB on the wire: enough to fill a stuck client's buffers quickly.
  const added = size === 'large' ? Array.from({ length: 100 }, (_, i) => makePreview(n * 1000 + i + 1, { subject: 's'.repeat(4000) })) : [makePreview(n + 1)];
  return { accountId: 'work', added, removed: [], notify: [], unreadCount: n };
}

const isDelta = (n: number) => (m: { type: string; unreadCount?: number }) => m.type === 'delta' && m.unreadCount === n;

describe('fan-out', () => {
  it('gives 2, then 50 authenticated clients the same delta, once each, over one MailService subscription', async () => {
    helper = await startTestHelper({ snapshots });
    const token = await helper.issueToken();
    let round = 0;
    for (const count of [2, 50]) {
      round += 1;
      const joined = await Promise.all(Array.from({ length: count }, () => connectAuthenticated(helper!, token)));
      clients.push(...joined);
      expect(helper.server.clients()).toBe(clients.length);
      expect(helper.mail.listenerCount()).toBe(4);

      const delta = deltaNumber(round);
      helper.mail.emit('delta', delta);
      await Promise.all(clients.map((c) => c.waitFor(isDelta(round), 5000, `delta ${round}`)));
      for (const client of clients) expect(client.received.filter(isDelta(round))).toEqual([{ type: 'delta', ...delta }]);
    }
  });

  it('drops a client that stops reading, while the others keep getting every event promptly', async () => {
    const maxBufferedBytes = 256 * 1024;
    helper = await startTestHelper({ snapshots, maxBufferedBytes });
    const token = await helper.issueToken();
    const readers = await Promise.all([1, 2, 3].map(() => connectAuthenticated(helper!, token)));
    const stuck = await connectAuthenticated(helper, token);
    clients.push(...readers, stuck);
    await stuck.waitFor((m) => m.type === 'snapshot');
    (stuck.ws as unknown as { _socket: Socket })._socket.pause();

    const dropped = nextLogLine((l) => l.msg === 'client is not reading; dropped', 20_000, 'the stuck client to be dropped');
    let droppedYet = false;
    void dropped.then(
      () => (droppedYet = true),
      () => undefined,
    );
    let slowest = 0;
    // Bounded: the kernel buffers a few MB per socket, far less than 200 × 400 KB.
    for (let n = 1; n <= 200 && !droppedYet; n++) {
      const sentAt = Date.now();
      helper.mail.emit('delta', deltaNumber(n, 'large'));
      await Promise.all(readers.map((c) => c.waitFor(isDelta(n), 5000, `delta ${n} at a reader`)));
      slowest = Math.max(slowest, Date.now() - sentAt);
    }
    expect(await dropped).toMatchObject({ level: 40, bufferedBytes: expect.any(Number) });
    expect(helper.server.clients()).toBe(3);
    expect(slowest).toBeLessThan(2000);

    const sentAt = Date.now();
    helper.mail.emit('delta', deltaNumber(999));
    await Promise.all(readers.map((c) => c.waitFor(isDelta(999), 2000, 'the delta after the drop')));
    expect(Date.now() - sentAt).toBeLessThan(1000);
    (stuck.ws as unknown as { _socket: Socket })._socket.resume();
    await withTimeout(stuck.closed, 5000, 'the stuck client to see the cut');
    expect(stuck.received.some(isDelta(999))).toBe(false);
  });
});
