/**
 * The server side of a chaos scenario: a real Dovecot, the fault-injecting proxy in front of it,
 * and "another device" that APPENDs straight to Dovecot (never through the proxy).
 */
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import type { DovecotProfile } from '../harness/dovecot-config';
import { startProxy, type TcpProxy } from '../harness/proxy';
import { connectOtherDevice, type OtherDevice } from '../harness/other-device';
import { buildMessage } from '../harness/messages';
import { recordSecret } from '../harness/test-log';

export interface World {
  dovecot: DovecotServer;
  proxy: TcpProxy;
  other: OtherDevice;
  user: string;
  pass: string;
  /** APPENDs a small distinct message to INBOX as another device; resolves with its UID. */
  deliver(n: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startWorld(user = 'chaos', pass = 'chaos-pass-Kq93x', profile: DovecotProfile = 'stock'): Promise<World> {
  recordSecret(pass);
  const dovecot = await startDovecot({ profile, users: [{ user, pass }] });
  const proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  const other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user, pass });
  return {
    dovecot,
    proxy,
    other,
    user,
    pass,
    deliver: (n) =>
      other.append('INBOX', buildMessage({ subject: `Chaos ${n}`, text: `Message number ${n} of the chaos run.`, messageId: `<chaos-${n}@chaos.test>` })),
    async stop() {
      await other.close().catch(() => undefined);
      await proxy.close();
      await dovecot.stop();
    },
  };
}
