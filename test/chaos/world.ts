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
import { serverLogins, type ServerLogins } from './server-log';

export interface World {
  dovecot: DovecotServer;
  proxy: TcpProxy;
  other: OtherDevice;
  user: string;
  pass: string;
  /** What Dovecot's own log says of the helper's logins and sessions (the other device's left out). */
  serverLogins(): Promise<ServerLogins>;
  /** APPENDs a small distinct message to INBOX as another device; resolves with its UID. */
  deliver(n: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startWorld(user = 'chaos', pass = 'chaos-pass-Kq93x', profile: DovecotProfile = 'stock'): Promise<World> {
  recordSecret(pass);
  const dovecot = await startDovecot({ profile, users: [{ user, pass }] });
  const proxy = await startProxy({ targetHost: dovecot.host, targetPort: dovecot.port });
  const other = await connectOtherDevice({ host: dovecot.host, port: dovecot.port, user, pass });
  // The other device's session is the only one open now: it is not the helper's.
  const otherSessions = serverLogins(await dovecot.logText(), user).openAtEnd;
  return {
    serverLogins: async () => serverLogins(await dovecot.logText(), user, otherSessions),
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
