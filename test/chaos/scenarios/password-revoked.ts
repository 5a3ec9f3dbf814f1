/**
 * Scenario 4: the password is revoked while the session is connected (an Apple ID password change
 * revokes every app-specific password), and the server then drops the session: by `doveadm kick`,
 * or by the network (proxy.dropAll). Exactly one failed login may follow, then `auth-failed` with
 * the server's reason, and no further attempt for a simulated day, however often the session is
 * nudged. After each round the user acts (old password back, one retry), which must work.
 */
import { DrivenSession } from '../driven-session';
import { check, seconds, type Check, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface PasswordRevokedParams {
  seed: number;
  /** Virtual hours watched after auth-failed, with a wake() nudge each hour. */
  hoursAfter: number;
}

export const PASSWORD_REVOKED = {
  short: { seed: 4, hoursAfter: 24 },
  full: { seed: 4, hoursAfter: 24 },
} satisfies Record<string, PasswordRevokedParams>;

const HOUR = 3_600_000;
const REVOKED = 'revoked-by-password-change';

export async function passwordRevoked(p: PasswordRevokedParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile });
  const checks: Check[] = [];
  const toAuthFailed: string[] = [];
  let reasons = '';

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    for (const how of ['doveadm kick', 'proxy.dropAll'] as const) {
      const connectionsBefore = world.proxy.connectionsTotal;
      const logBefore = (await s.loginLog()).length;
      await world.dovecot.setPassword(world.user, REVOKED);
      const revokedAt = s.clock.elapsed;
      if (how === 'doveadm kick') await world.dovecot.kick(world.user);
      else world.proxy.dropAll();
      const failed = await s.runUntilTrue(() => s.state === 'auth-failed', HOUR);
      toAuthFailed.push(`${how}: ${seconds(s.clock.elapsed - revokedAt)}`);
      const reason = s.session.state.reason ?? '';
      reasons += `${how}: “${reason}” `;
      const connectionsAtFailure = world.proxy.connectionsTotal;
      for (let hour = 0; hour < p.hoursAfter; hour++) {
        await s.runFor(HOUR);
        s.session.wake();
      }
      await s.settle();
      const attempts = (await s.loginLog()).slice(logBefore);
      checks.push(
        check(`${how}: auth-failed with the server's reason`, failed && /rejected/i.test(reason) && /AUTHENTICATIONFAILED|Authentication failed/i.test(reason), `state ${s.state}, reason “${reason}”`),
        check(`${how}: exactly one failed login`, attempts.length === 1 && attempts[0].outcome === 'auth-rejected' && connectionsAtFailure - connectionsBefore === 1,
          `logged: ${attempts.map((e) => e.outcome).join(', ') || 'none'}; proxy connections ${connectionsAtFailure - connectionsBefore}`),
        check(`${how}: no attempt in the ${p.hoursAfter} h after, despite ${p.hoursAfter} nudges`, world.proxy.connectionsTotal === connectionsAtFailure && s.state === 'auth-failed',
          `${world.proxy.connectionsTotal - connectionsAtFailure} connections after auth-failed; state ${s.state}`),
      );
      // The user acts: the right password again, one retry.
      await world.dovecot.setPassword(world.user, world.pass);
      const retry = await s.policy.userRetry();
      s.session.wake();
      const back = retry.ok && (await s.runUntilTrue(() => s.state === 'idle', HOUR));
      checks.push(check(`${how}: the user's retry logs in again`, back, `retry ${retry.ok ? 'accepted' : 'refused'}, state ${s.state}`));
    }
    const log = await s.loginLog();
    return {
      title: 'Password revoked while connected',
      injected: 'Twice: the password changed on the server while the session idled, then the server kicked the session (doveadm kick), '
        + `or the link dropped (proxy.dropAll); after each, ${p.hoursAfter} virtual hours with a wake() nudge every hour; then the user `
        + 'restored the password and asked for one retry.',
      figures: [
        ['logins made (connections at the proxy)', s.connections.times.length],
        ['failed logins (login log)', log.filter((e) => e.outcome !== 'success').length],
        ['time from revocation to auth-failed (virtual)', toAuthFailed.join('; ')],
        ['reason shown', reasons.trim()],
      ],
      checks: [
        ...checks,
        check('never two connections at once', s.connections.maxOpen <= 1, `max open ${s.connections.maxOpen}`),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    await s.stop();
    await world.stop();
  }
}
