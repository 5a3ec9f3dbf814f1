/**
 * One real AccountSession (real imapflow, real LoginPolicy over the real policy and mark files in
 * a state dir) on a virtual clock, and the driver that moves that clock. Time moves only when the
 * session is quiescent: in a settled state, no command on the wire (no deadline timer pending) and
 * the server-side connection count matching the state. So real IMAP I/O always completes between
 * jumps, and a "simulated day" is a few thousand timer firings.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import type { AccountState, LoginLogEntry } from '../../protocol';
import { AccountSession, DEFAULT_TUNING, type SessionStatus, type SessionTuning } from '../../helper/mail/account-session';
import type { Clock } from '../../helper/mail/clock';
import { NewMailMarks } from '../../helper/mail/new-mail-marks';
import { LoginPolicy } from '../../helper/policy/login-policy';
import { FilePolicyStore } from '../../helper/store/policy-store';
import { FileMarkStore } from '../../helper/store/mark-store';
import { LoginLog, loginLogPath } from '../../helper/store/login-log';
import { testLogFn } from '../harness/test-log';
import { pollUntil } from '../harness/wait';
import { SessionRecorder } from '../mail/session-fixture';
import { prng } from './prng';
import { VirtualClock } from './virtual-clock';
import type { World } from './world';

export const ACCOUNT_ID = 'chaos';
/** 2026-03-01T00:00:00Z: any fixed start keeps runs identical. */
const START_WALL = Date.UTC(2026, 2, 1);
/** Real time a settle may take: Dovecot answers a wrong password after 2 s plus a growing penalty. */
const SETTLE_REAL_MS = 25_000;
/** A simulated day at one firing per 10 s tick is ~8,600 steps; anything far beyond is a runaway. */
const MAX_STEPS = 60_000;
/** Bounds the connection watch's loop: far more connections than any scenario makes. */
const MAX_WATCHED = 100_000;
const SETTLED: ReadonlySet<AccountState> = new Set(['idle', 'backoff', 'paused', 'auth-failed', 'stopped']);

/** What the driver reads of the server side: a proxy (TcpProxy) or a scripted server. */
export interface LinkGauge {
  readonly connectionsOpen: number;
  readonly connectionsTotal: number;
  nextConnection(timeoutMs?: number): Promise<void>;
}

export interface DrivenSessionOptions {
  host: string;
  port: number;
  user: string;
  pass: string;
  link: LinkGauge;
  seed: number;
  testFile: string;
  /** Changes to the shipped tuning, for a scenario that needs one (it says why). */
  tuning?: Partial<SessionTuning>;
  /** An existing state dir (kept); by default a fresh temp dir, deleted by stop(). */
  stateDir?: string;
}

/** Every connection the server side saw: when (by `clock`) and how many were open with it. */
export class ConnectionWatch {
  readonly times: number[] = [];
  maxOpen = 0;
  private stopped = false;

  constructor(
    private readonly link: LinkGauge,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
  }

  private async watch(): Promise<void> {
    for (let i = 0; i < MAX_WATCHED && !this.stopped; i++) {
      try {
        await this.link.nextConnection(60_000);
      } catch {
        continue; // no connection for a minute of real time: keep watching
      }
      this.times.push(this.clock.now());
      this.maxOpen = Math.max(this.maxOpen, this.link.connectionsOpen);
    }
  }
}

export class DrivenSession {
  readonly clock: VirtualClock;
  readonly tuning: SessionTuning;
  readonly session: AccountSession;
  readonly recorder: SessionRecorder;
  readonly policy: LoginPolicy;
  readonly connections: ConnectionWatch;
  /** How often the session logged each event ('operation-failed', 'probe', …). */
  readonly logged = new Map<string, number>();
  /** Every state change with its virtual (monotonic) time. */
  readonly timeline: { at: number; state: AccountState; reason?: string }[] = [];
  /** Emits 'client' with each ImapFlow the session creates, before it connects. */
  readonly clients = new EventEmitter();
  /**
   * Set by a scenario while it holds the link silent (proxy.stall): commands then cannot be
   * answered, so their deadlines are allowed to fire, and the connection count is not checked.
   */
  linkStalled = false;

  private constructor(
    private readonly opts: DrivenSessionOptions,
    readonly stateDir: string,
    parts: { clock: VirtualClock; tuning: SessionTuning; session: AccountSession; policy: LoginPolicy },
  ) {
    this.clock = parts.clock;
    this.tuning = parts.tuning;
    this.session = parts.session;
    this.policy = parts.policy;
    this.recorder = new SessionRecorder(this.session, this.session.account);
    this.session.on('status', (status: SessionStatus) => this.timeline.push({ at: this.clock.elapsed, state: status.state, reason: status.reason }));
    this.connections = new ConnectionWatch(opts.link, this.clock);
  }

  /** The session of a chaos world's account, through the world's fault-injecting proxy. */
  static inWorld(world: World, opts: Pick<DrivenSessionOptions, 'seed' | 'testFile' | 'stateDir' | 'tuning'>): Promise<DrivenSession> {
    return DrivenSession.start({ host: world.proxy.host, port: world.proxy.port, user: world.user, pass: world.pass, link: world.proxy, ...opts });
  }

  static async start(opts: DrivenSessionOptions): Promise<DrivenSession> {
    const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'mn-chaos-state-')));
    // The shipped tuning: the clock is virtual, so the real bounds cost no real time.
    const tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    const clock = new VirtualClock(START_WALL, (ms) => ms === tuning.commandTimeoutMs || ms === tuning.connectTimeoutMs);
    const policy = new LoginPolicy({
      store: new FilePolicyStore({ stateDir, accountId: ACCOUNT_ID }),
      now: () => clock.now(),
      random: prng(opts.seed),
    });
    await policy.load();
    const marks = new NewMailMarks(new FileMarkStore(join(stateDir, `marks-${ACCOUNT_ID}.json`)));
    await marks.load();
    let driven: DrivenSession | undefined;
    const log = testLogFn(opts.testFile);
    const session = new AccountSession({
      account: { id: ACCOUNT_ID, host: opts.host, port: opts.port, tls: false, username: opts.user, watchedFolders: [], previewCount: 50 },
      password: async () => opts.pass,
      policy,
      marks,
      clock,
      tuning,
      createClient: (options) => {
        const client = new ImapFlow(options);
        driven?.clients.emit('client', client);
        return client;
      },
      // Virtual seconds on every line: the real timestamps of a simulated day say nothing.
      log: (event, fields) => {
        driven?.logged.set(event, (driven.logged.get(event) ?? 0) + 1);
        log(event, { ...fields, virtualSeconds: Math.round(clock.elapsed / 1000) });
      },
    });
    driven = new DrivenSession(opts, stateDir, { clock, tuning, session, policy });
    session.start();
    return driven;
  }

  get state(): AccountState {
    return this.session.state.state;
  }

  /** UIDs announced as new mail, in order (a duplicate shows twice). */
  notified(): number[] {
    return this.recorder.notified();
  }

  /** Waits (real time, bounded) until the session is quiescent; see the file comment. */
  async settle(what = 'the session to settle'): Promise<void> {
    await nextTurn();
    try {
      await pollUntil(() => this.quiet(), { what, timeoutMs: SETTLE_REAL_MS, intervalMs: 2 });
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${this.describe()}`);
    }
  }

  /** Runs timers until virtual (monotonic) time `target`, settling before each. */
  async runUntil(target: number): Promise<void> {
    for (let i = 0; i < MAX_STEPS; i++) {
      await this.settle();
      if (!this.clock.step(target)) return;
    }
    throw new Error(`more than ${MAX_STEPS} timer firings before ${target} ms: ${this.describe()}`);
  }

  runFor(ms: number): Promise<void> {
    return this.runUntil(this.clock.elapsed + ms);
  }

  /**
   * Runs timers until `condition` holds on a settled session, for at most `maxMs` of virtual
   * time; resolves with whether it held.
   */
  async runUntilTrue(condition: () => boolean, maxMs: number): Promise<boolean> {
    const limit = this.clock.elapsed + maxMs;
    for (let i = 0; i < MAX_STEPS; i++) {
      await this.settle();
      if (condition()) return true;
      if (!this.clock.step(limit)) return condition();
    }
    throw new Error(`more than ${MAX_STEPS} timer firings: ${this.describe()}`);
  }

  /**
   * Virtual times at which a connection was opened: the session shows `connecting` (with no
   * reason) right as it connects. Exact, unlike the proxy's count, which is noticed a step later.
   */
  connectTimes(): number[] {
    return this.timeline.filter((e) => e.state === 'connecting' && e.reason === undefined).map((e) => e.at);
  }

  /** Virtual time of the first change to `state` at or after `since`. */
  firstAt(state: AccountState, since: number): number | undefined {
    return this.timeline.find((entry) => entry.at >= since && entry.state === state)?.at;
  }

  /**
   * Virtual time spent in the `connected` states (idle by default) up to `until`, and the longest
   * stretch without.
   */
  idleTime(until: number, connected: ReadonlySet<AccountState> = new Set(['idle'])): { idle: number; longestOutage: number } {
    let idle = 0;
    let longestOutage = 0;
    let outageFrom = 0;
    this.timeline.forEach((entry, i) => {
      const end = Math.min(this.timeline[i + 1]?.at ?? until, until);
      if (connected.has(entry.state)) {
        idle += Math.max(0, end - entry.at);
        longestOutage = Math.max(longestOutage, entry.at - outageFrom);
        outageFrom = end;
      }
    });
    return { idle, longestOutage: Math.max(longestOutage, until - outageFrom) };
  }

  async loginLog(): Promise<LoginLogEntry[]> {
    return new LoginLog(loginLogPath(this.stateDir, ACCOUNT_ID)).readAll();
  }

  async stop(): Promise<void> {
    this.connections.stop();
    await this.session.stop();
    if (!this.opts.stateDir) await rm(this.stateDir, { recursive: true, force: true });
  }

  describe(): string {
    return `state ${this.state} (${this.session.state.reason ?? 'no reason'}), ${this.clock.deadlinesPending()} deadline(s) pending, `
      + `${this.opts.link.connectionsOpen} connection(s) open, virtual t=${Math.round(this.clock.elapsed / 1000)} s`;
  }

  private quiet(): boolean {
    // A connect held by the stalled link waits on its deadline, which only moving time fires.
    if (this.linkStalled && this.state === 'connecting' && this.clock.deadlinesPending() > 0) return true;
    if (!SETTLED.has(this.state)) return false;
    if (this.linkStalled) return true;
    if (this.clock.deadlinesPending() > 0) return false;
    return this.opts.link.connectionsOpen === (this.state === 'idle' ? 1 : 0);
  }
}
