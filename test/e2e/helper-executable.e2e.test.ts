/**
 * The helper as one executable (scripts/build-sea.mjs, built once here), run as someone without
 * Node.js runs it: alone, with a PATH that has no node and nothing else of this process's
 * environment. It unpacks what it carries, prints a pairing code, pairs a browser with it, serves
 * the demo mailbox, and `service install` writes a systemd unit that runs the executable itself.
 * The PATH's only program is a stand-in systemctl that records its arguments: the real one would
 * install the unit on this machine.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_ACCOUNT_ID } from '../../helper/accounts/registry';
import { PROTOCOL_VERSION, type SnapshotMessage } from '../../protocol';
import { buildSea } from '../../scripts/build-sea.mjs';
import { recordSecret } from '../harness/test-log';
import { connect, type TestClient } from '../server/helpers';
import { freePort, startHelperProcess, type HelperProcess } from './helper-process';

let dir: string;
let exe: string;
let env: Record<string, string>;
let helper: HelperProcess | undefined;
let client: TestClient | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mn-executable-'));
  exe = await buildSea(join(dir, 'out'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'systemctl'), '#!/bin/sh\necho "$*" >> "$SYSTEMCTL_CALLS"\n');
  await chmod(join(bin, 'systemctl'), 0o755);
  env = { PATH: bin, HOME: join(dir, 'user'), XDG_CONFIG_HOME: join(dir, 'user', 'config'), SYSTEMCTL_CALLS: join(dir, 'systemctl-calls') };
}, 240_000);

afterAll(async () => {
  client?.close();
  await helper?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('finds no node on the PATH it is given', () => {
  const probe = spawnSync('node', ['--version'], { env });
  expect((probe.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
});

it('starts without node, pairs with the code it prints and serves the demo mailbox', async () => {
  const home = join(dir, 'home');
  helper = await startHelperProcess({ home, port: await freePort(), name: 'executable', demo: true, executable: exe, env });
  const [, code] = await helper.waitForOutput(/pairing code\s+(\S+)/);
  // Its hints name the command as this user runs it: the executable itself, not `npm run helper`.
  expect(helper.output()).toContain(`\`${basename(exe)} pair\` makes a new one`);
  recordSecret(code);
  client = await connect(helper.port);
  const paired = await client.request({ type: 'pair', protocol: PROTOCOL_VERSION, code, clientName: 'executable test' });
  if (paired.type !== 'result') throw new Error(`pairing refused: ${JSON.stringify(paired)}`);
  recordSecret((paired.data as { token: string }).token);
  const snapshot = await client.waitFor<SnapshotMessage>((m) => m.type === 'snapshot' && m.account.id === DEMO_ACCOUNT_ID && m.previews.length > 0, 20_000, 'the demo snapshot');
  expect(snapshot.account.unreadCount).toBe(snapshot.previews.length);
  expect(snapshot.previews.every((p) => p.subject.length > 0 && p.snippet.length > 0)).toBe(true);
  // What it carried was unpacked under MAIL_NOTIFIER_HOME, once: the build's folder and nothing half-done beside it.
  expect(await readdir(join(home, 'runtime'))).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+-[0-9a-f]{16}$/)]);
  client.close();
  client = undefined;
  await helper.stop();
  helper = undefined;
});

it('installs itself as a user service that runs the executable', async () => {
  const run = spawnSync(exe, ['service', 'install'], { env: { ...env, MAIL_NOTIFIER_HOME: join(dir, 'home') }, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const unit = await readFile(join(env.XDG_CONFIG_HOME, 'systemd', 'user', 'mail-notifier-helper.service'), 'utf8');
  expect(unit).toContain(`ExecStart="${exe}" "start" "--no-demo" "--log-file" "${join(dir, 'home', 'log', 'helper.err.log')}"\n`);
  expect(unit).toContain(`WorkingDirectory=${join(dir, 'out')}\n`);
  expect((await readFile(env.SYSTEMCTL_CALLS, 'utf8')).split('\n')).toEqual(['--user daemon-reload', '--user enable --now mail-notifier-helper.service', '']);
});
