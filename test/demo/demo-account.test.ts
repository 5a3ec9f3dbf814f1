/**
 * The demo account: a local mailbox served by the helper, through the real session, registry
 * and events. It must look like any account to the extension.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeltaMessage } from '../../protocol';
import { AccountRegistry, DEMO_ACCOUNT_ID } from '../../helper/accounts/registry';
import type { AccountSnapshot } from '../../helper/accounts/mail-service';
import { startDemoServer } from '../../helper/demo/demo-server';
import { openSecretStore } from '../../helper/store/secrets';
import { withTimeout } from '../harness/wait';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mn-demo-'));
});
afterAll(async () => rm(home, { recursive: true, force: true }));

function next<T>(registry: AccountRegistry, event: 'snapshot' | 'delta', match: (v: T) => boolean): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve) => {
      const listener = (value: T) => match(value) && (registry.off(event, listener as never), resolve(value));
      registry.on(event, listener as never);
    }),
    10_000,
    event,
  );
}

describe('demo account', () => {
  it('shows the welcome mail, announces each new demo message once, and saves nothing to settings', async () => {
    const secrets = await openSecretStore({ configDir: join(home, 'config'), prefer: 'file' });
    const registry = await AccountRegistry.open({ configDir: join(home, 'config'), stateDir: join(home, 'state'), secrets });
    const demo = await startDemoServer({ intervalMs: 3_600_000 });
    const snapshot = next<AccountSnapshot>(registry, 'snapshot', () => true);
    await registry.addDemoAccount(demo);
    const first = await snapshot;
    expect(first.account).toMatchObject({ id: DEMO_ACCOUNT_ID, kind: 'demo', unreadCount: 2 });
    expect(first.previews.map((p) => p.subject)).toContain('Welcome — this is the demo account');

    const delta = next<Omit<DeltaMessage, 'type'>>(registry, 'delta', (d) => d.notify.length > 0);
    demo.deliver();
    const arrived = await delta;
    expect(arrived.notify).toHaveLength(1);
    expect(arrived.added[0].subject).toBe('Lunch on Thursday?');
    // The demo server (hoodiecrow) answers the same bounded header and body slices as Dovecot.
    expect(arrived.added[0].from.address).toMatch(/@/);
    expect(arrived.added[0].snippet).toContain('new place near the station');
    expect(arrived.unreadCount).toBe(3);

    const key = arrived.added[0].key;
    const body = await registry.getBody(DEMO_ACCOUNT_ID, key, true);
    expect(body.text).toContain('new place near the station');
    expect(registry.snapshots()[0].account.unreadCount).toBe(2);

    await expect(readFile(join(home, 'config', 'config.json'), 'utf8')).rejects.toThrow();
    await registry.removeAccount(DEMO_ACCOUNT_ID);
    expect(registry.snapshots()).toEqual([]);
    await registry.close();
  });
});
