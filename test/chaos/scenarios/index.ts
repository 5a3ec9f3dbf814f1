/** The scenarios in the order of docs/RELIABILITY.md, each with its short and full parameters. */
import type { ScenarioResult } from '../report';
import { CRASH_LOOP, crashLoop } from './crash-loop';
import { DISK_TROUBLE, diskTrouble } from './disk-trouble';
import { HOSTILE_CLIENTS, hostileClients } from './hostile-clients';
import { HOSTILE_MAIL, hostileMail } from './hostile-mail';
import { LINK_FLAP, linkFlap } from './link-flap';
import { LOGIN_CUT_SHORT, loginCutShort } from './login-cut-short';
import { ONE_HELPER, oneHelper } from './one-helper';
import { STALL_BEFORE_LOGIN, stallBeforeLogin } from './stall-before-login';
import { PASSWORD_REVOKED, passwordRevoked } from './password-revoked';
import { SLEEP_WAKE, sleepWake } from './sleep-wake';
import { STALL, stall } from './stall';
import { THE_DOOR, theDoor } from './the-door';
import { THROTTLED, throttled } from './throttled';

export type Size = 'short' | 'full';

export interface Scenario {
  name: string;
  run(size: Size): Promise<ScenarioResult>;
}

function scenario<P>(name: string, run: (params: P, testFile: string) => Promise<ScenarioResult>, params: Record<Size, P>): Scenario {
  return { name, run: (size) => run(params[size], `chaos-${name}`) };
}

export const SCENARIOS: Scenario[] = [
  scenario('link-flap', linkFlap, LINK_FLAP),
  scenario('stall', stall, STALL),
  scenario('sleep-wake', sleepWake, SLEEP_WAKE),
  scenario('password-revoked', passwordRevoked, PASSWORD_REVOKED),
  scenario('throttled', throttled, THROTTLED),
  scenario('crash-loop', crashLoop, CRASH_LOOP),
  scenario('disk-trouble', diskTrouble, DISK_TROUBLE),
  scenario('hostile-mail', hostileMail, HOSTILE_MAIL),
  scenario('hostile-clients', hostileClients, HOSTILE_CLIENTS),
  scenario('the-door', theDoor, THE_DOOR),
  scenario('login-cut-short', loginCutShort, LOGIN_CUT_SHORT),
  scenario('one-helper', oneHelper, ONE_HELPER),
  scenario('stall-before-login', stallBeforeLogin, STALL_BEFORE_LOGIN),
];
