/**
 * An AccountSession wired to a real Dovecot through the counting proxy, with in-memory stores
 * that outlive the session (so a "restart" is a new session over the same stores).
 */
import { EventEmitter } from 'node:events';
import type { Preview } from '../../protocol';
import { AccountSession, type SessionAccount, type SessionDelta, type SessionSnapshot, type SessionStatus, type SessionTuning } from '../../helper/mail/account-session';
import { NewMailMarks, type Mark, type MarkStore } from '../../helper/mail/new-mail-marks';
import { LoginPolicy } from '../../helper/policy/login-policy';
import { MemoryPolicyStore } from '../../helper/store/policy-store';
import { withTimeout } from '../harness/wait';
import { recordSecret, testLogFn } from '../harness/test-log';

export class MemoryMarkStore implements MarkStore {
  marks: Record<string, Mark> = {};
  async load() {
    return structuredClone(this.marks);
  }
  async save(marks: Record<string, Mark>) {
    this.marks = structuredClone(marks);
  }
}

/** Small numbers so liveness tests run in seconds; the defaults are checked in unit tests. */
export const FAST_TUNING: Partial<SessionTuning> = {
  heartbeatMs: 60_000,
  tickMs: 1_000,
  commandTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
};

export interface Stores {
  policy: MemoryPolicyStore;
  marks: MemoryMarkStore;
}

export function newStores(): Stores {
  return { policy: new MemoryPolicyStore(), marks: new MemoryMarkStore() };
}

/** Records everything a session says, and lets a test wait for the next matching event. */
export class SessionRecorder {
  readonly snapshots: SessionSnapshot[] = [];
  readonly deltas: SessionDelta[] = [];
  readonly statuses: SessionStatus[] = [];
  private readonly changed = new EventEmitter();

  constructor(
    readonly session: AccountSession,
    /** The settings object the session reads, changed in place as the registry does on update-account. */
    readonly account: SessionAccount,
  ) {
    session.on('snapshot', (s: SessionSnapshot) => this.push(this.snapshots, s));
    session.on('delta', (d: SessionDelta) => this.push(this.deltas, d));
    session.on('status', (s: SessionStatus) => this.push(this.statuses, s));
  }

  private push<T>(list: T[], item: T) {
    list.push(item);
    this.changed.emit('change');
  }

  notified(): number[] {
    return this.deltas.flatMap((d) => d.notify.map((k) => k.uid));
  }

  /** Waits until `condition` holds, re-checking after every event (no polling, bounded). */
  until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          if (!condition()) return;
          this.changed.off('change', check);
          resolve();
        };
        this.changed.on('change', check);
      }),
      ms,
      what,
    );
  }

  state(): string | undefined {
    return this.statuses.at(-1)?.state;
  }

  previews(): Preview[] {
    return this.session.previews();
  }
}

export interface SessionOptions {
  host: string;
  port: number;
  user: string;
  pass: string;
  stores: Stores;
  tuning?: Partial<SessionTuning>;
  watchedFolders?: string[];
  previewCount?: number;
  random?: () => number;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

const defaultLog = testLogFn('session');

export async function startSession(opts: SessionOptions): Promise<SessionRecorder & { policy: LoginPolicy }> {
  recordSecret(opts.pass);
  // random() = 0 gives the shortest jittered backoff the policy allows: reconnect tests stay quick.
  const policy = new LoginPolicy({ store: opts.stores.policy, now: Date.now, random: opts.random ?? (() => 0) });
  await policy.load();
  const marks = new NewMailMarks(opts.stores.marks);
  await marks.load();
  const account: SessionAccount = {
    id: 'test',
    host: opts.host,
    port: opts.port,
    tls: false,
    username: opts.user,
    watchedFolders: opts.watchedFolders ?? [],
    previewCount: opts.previewCount ?? 50,
  };
  const session = new AccountSession({
    account,
    password: async () => opts.pass,
    policy,
    marks,
    tuning: { ...FAST_TUNING, ...opts.tuning },
    log: opts.log ?? defaultLog,
  });
  const recorder = Object.assign(new SessionRecorder(session, account), { policy });
  session.start();
  return recorder;
}
