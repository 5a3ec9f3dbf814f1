/**
 * `npm start` on a machine with no account: the built helper (bin.mjs → dist/helper) serves the
 * demo mailbox. The demo's IMAP server is a separate package loaded only here, so only this test
 * shows that the build can still load and run it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../helper/accounts/registry';
import { tokensFile } from '../../helper/run-helper';
import { TokenStore } from '../../helper/server/tokens';
import { helperPaths } from '../../helper/store/paths';
import type { SnapshotMessage } from '../../protocol';
import { recordSecret } from '../harness/test-log';
import { connect, type TestClient } from '../server/helpers';
import { freePort, startHelperProcess, type HelperProcess } from './helper-process';

let home: string;
let helper: HelperProcess;
let client: TestClient | undefined;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mn-demo-helper-'));
  const { token } = await new TokenStore({ file: tokensFile(helperPaths({ MAIL_NOTIFIER_HOME: home })) }).issue('demo test');
  recordSecret(token);
  helper = await startHelperProcess({ home, port: await freePort(), name: 'demo', demo: true });
  client = await connect(helper.port);
  expect((await client.auth(token)).type).toBe('result');
});

afterAll(async () => {
  client?.close();
  await helper?.stop();
  await rm(home, { recursive: true, force: true });
});

it('serves the demo account with its unread mail when no account is configured', async () => {
  const snapshot = await client!.waitFor<SnapshotMessage>(
    (m) => m.type === 'snapshot' && m.account.id === DEMO_ACCOUNT_ID && m.previews.length > 0,
    20_000,
    'a snapshot of the demo account with previews',
  );
  await client!.waitFor((m) => (m.type === 'snapshot' || m.type === 'account') && m.account.id === DEMO_ACCOUNT_ID && m.account.state === 'idle', 20_000, 'the demo account in IDLE');
  expect(snapshot.account.unreadCount).toBe(snapshot.previews.length);
  expect(snapshot.previews.every((p) => p.subject.length > 0 && p.snippet.length > 0)).toBe(true);
  expect(helper.output()).toMatch(/serving the demo account/);
});
