/**
 * Scenario 7: the state directory (login log, policy state, new-mail marks) on a 64 KiB tmpfs
 * that fills up (ENOSPC) or turns read-only (EROFS): while idle, in the middle of a login, and
 * read-only. The session must show the storage error as its reason, make no login it cannot
 * record, not die (an unhandled rejection ends the helper, and a service manager restarts it in a
 * loop), keep every login log entry already written, and recover once the disk is usable.
 */
import { symlink } from 'node:fs/promises';
import type { LoginLogEntry } from '../../../protocol';
import { DrivenSession } from '../driven-session';
import { startHelperProcess } from '../../e2e/helper-process';
import { helperHome } from '../helper-home';
import { check, mailChecks, seconds, tally, type Check, type ScenarioResult } from '../report';
import { mountTinyDisk, type TinyDisk } from '../tiny-disk';
import { startWorld, type World } from '../world';

export interface DiskTroubleParams {
  seed: number;
  /** Virtual time watched while the disk is unusable. */
  outageMs: number;
}

export const DISK_TROUBLE = {
  short: { seed: 7, outageMs: 2 * 3_600_000 },
  full: { seed: 7, outageMs: 12 * 3_600_000 },
} satisfies Record<string, DiskTroubleParams>;

const HOUR = 3_600_000;

const sameEntry = (a: LoginLogEntry, b: LoginLogEntry) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The real helper (as a service manager starts it) with its state dir on the full disk: it must
 * show the error, complete its start (a failed write must not leave it without its stop handling)
 * and stop cleanly when told to, making no login.
 */
async function realHelperOnFullDisk(world: World, disk: TinyDisk): Promise<Check[]> {
  const home = await helperHome({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: world.pass });
  await symlink(disk.dir, home.paths.stateDir);
  disk.fill();
  const connectionsBefore = world.proxy.connectionsTotal;
  const helper = await startHelperProcess({ home: home.home, port: home.port, name: 'chaos-disk-trouble' });
  try {
    const shown = await helper
      .waitForLog((entry) => entry.state === 'paused' && /disk is full/.test(String(entry.reason)), 'the account paused on a full disk')
      .then(() => true, () => false);
    // The last step of its start: the pairing code (no browser is paired yet) cannot be written.
    await helper.waitForOutput(/pairing-code\.json/).catch(() => undefined);
    // Only a helper that got through its start stops cleanly, with 0.
    const code = await helper.kill('SIGTERM');
    const ranOn = code === 0 && /stopping/.test(helper.output());
    const lastLines = helper.output().trim().split('\n').slice(-2).join(' ');
    return [
      check('real helper on a full disk: shows the storage error as the account state', shown, shown ? 'paused: the disk is full' : lastLines),
      check('real helper on a full disk: completes its start, runs, and stops cleanly on SIGTERM (exit 0)', ranOn,
        ranOn ? 'ran until SIGTERM, then exit 0' : `exit ${code}: ${lastLines}`),
      check('real helper on a full disk: no login', world.proxy.connectionsTotal === connectionsBefore, `${world.proxy.connectionsTotal - connectionsBefore} connections`),
    ];
  } finally {
    await helper.kill('SIGKILL');
    await disk.free();
    await home.remove();
  }
}

export async function diskTrouble(p: DiskTroubleParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason instanceof Error ? reason.message : String(reason));
  process.on('unhandledRejection', onUnhandled);
  const world = await startWorld();
  const disk = await mountTinyDisk();
  const s = await DrivenSession.inWorld(world, { seed: p.seed, testFile, stateDir: disk.dir });
  const checks: Check[] = [];
  const appended: number[] = [];
  const recoveries: string[] = [];
  let fillAtNextLogin = false;
  s.clients.on('client', () => {
    if (!fillAtNextLogin) return;
    fillAtNextLogin = false;
    disk.fill();
  });

  /** One outage: break the disk, cut the link, watch, repair, and expect a clean recovery. */
  const outage = async (name: string, expected: RegExp, breakIt: () => Promise<void>, repair: () => Promise<void>) => {
    const logBefore = await s.loginLog();
    await breakIt();
    appended.push(await world.deliver(appended.length + 1));
    world.proxy.dropAll();
    const brokenAt = s.clock.elapsed;
    const paused = await s.runUntilTrue(() => s.state === 'paused' && expected.test(s.session.state.reason ?? ''), HOUR);
    const shown = `${s.state} after ${seconds(s.clock.elapsed - brokenAt)}: “${s.session.state.reason ?? ''}”`;
    const connectionsAtPause = world.proxy.connectionsTotal;
    await s.runFor(p.outageMs);
    const loginsDuring = world.proxy.connectionsTotal - connectionsAtPause;
    await repair();
    const repairedAt = s.clock.elapsed;
    const back = await s.runUntilTrue(() => s.state === 'idle' && s.notified().includes(appended.at(-1)!), 2 * HOUR);
    recoveries.push(`${name}: ${seconds(s.clock.elapsed - repairedAt)}`);
    const logAfter = await s.loginLog();
    checks.push(
      check(`${name}: the storage error is the shown reason`, paused, shown),
      check(`${name}: no login while the disk is unusable`, loginsDuring === 0, `${loginsDuring} connections in ${seconds(p.outageMs)}`),
      check(`${name}: login log entries already written are kept`, logBefore.every((e, i) => logAfter[i] && sameEntry(e, logAfter[i])),
        `${logBefore.length} entries before, ${logAfter.length} after`),
      check(`${name}: recovers once the disk is usable, mail from the outage announced`, back, `state ${s.state}`),
    );
  };

  try {
    if (!(await s.runUntilTrue(() => s.state === 'idle', 60_000))) throw new Error(`no first login: ${s.describe()}`);
    appended.push(await world.deliver(appended.length + 1));
    await s.recorder.until(() => s.notified().includes(appended[0]), 'the first message', 5_000);

    await outage('disk full while idle', /disk is full/, async () => disk.fill(), () => disk.free());
    await outage('disk fills during a login', /disk is full/, async () => { fillAtNextLogin = true; }, () => disk.free());
    await outage('read-only file system', /read-only/, () => disk.readOnly(true), () => disk.readOnly(false));
    await s.stop();
    checks.push(...(await realHelperOnFullDisk(world, disk)));

    const t = tally(appended, s.notified());
    const log = await s.loginLog();
    return {
      title: 'Disk full or read-only state directory',
      injected: `The state dir on a 64 KiB tmpfs: filled to ENOSPC while idle; filled between connect and the login's outcome being recorded; `
        + `remounted read-only. Each time a message arrived and the link was cut, and the disk stayed unusable for ${seconds(p.outageMs)} (virtual). `
        + 'Then the real helper process started with its state dir on the full disk.',
      figures: [
        ['messages appended', t.appended],
        ['messages reported (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['logins made (connections at the proxy)', world.proxy.connectionsTotal],
        ['login log entries', log.length],
        ['failed logins (login log)', log.filter((e) => e.outcome !== 'success').length],
        ['time to recover after the disk is usable again (virtual)', recoveries.join('; ')],
        ['unhandled rejections (each would end the helper)', unhandled.length],
      ],
      checks: [
        ...checks,
        ...mailChecks(t),
        check('no unhandled rejection (no crash, so no crash loop)', unhandled.length === 0, unhandled.join('; ') || 'none'),
        check('never two connections at once', s.connections.maxOpen <= 1, `max open ${s.connections.maxOpen}`),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    await s.stop();
    await disk.readOnly(false).catch(() => undefined);
    await disk.unmount();
    await world.stop();
    process.off('unhandledRejection', onUnhandled);
  }
}
