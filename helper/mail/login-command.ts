/**
 * Where a connection stands on its way to a login. Only the login command (LOGIN or
 * AUTHENTICATE) is a login the server sees and counts: TCP, TLS, the greeting and the
 * capabilities before it are not. imapflow has no public hook between the greeting and that
 * command, so its command runner (`run`) is wrapped on this one client: the policy records the
 * attempt on disk before the command is written, so a crash after it leaves a known-unknown.
 */
import type { ImapFlow } from 'imapflow';

/** `connecting`: nothing was sent that counts; `login-sent`: the answer is awaited; `logged-in`: accepted. */
export type LoginPhase = 'connecting' | 'login-sent' | 'logged-in';

const LOGIN_COMMANDS: ReadonlySet<string> = new Set(['LOGIN', 'AUTHENTICATE']);

type Runner = (command: string, ...args: unknown[]) => Promise<unknown>;

export class LoginAbandonedError extends Error {
  constructor() {
    super('The connection was closed before its login was sent.');
    this.name = 'LoginAbandonedError';
  }
}

export interface LoginCommandHooks {
  /** Runs before the command is written; a rejection keeps it from being sent. */
  beforeLogin(): Promise<void>;
  /** Runs when beforeLogin finished but the connection was abandoned meanwhile: nothing was sent. */
  takeBack(): Promise<void>;
}

export class LoginCommandWatch {
  private current: LoginPhase = 'connecting';
  private abandoned = false;
  private hook: Promise<unknown> | null = null;
  /** What beforeLogin threw, if it did (a full disk): the caller's error, not the server's. */
  hookError: unknown = undefined;

  constructor(client: ImapFlow, hooks: LoginCommandHooks) {
    const target = client as unknown as { run?: Runner };
    const run = target.run;
    // Fails loudly (and in the tests) if an imapflow update renames it, rather than logging in uncounted.
    if (typeof run !== 'function') throw new Error('imapflow has no command runner to watch: the login could not be counted.');
    target.run = async (command: string, ...args: unknown[]) => {
      if (!LOGIN_COMMANDS.has(String(command).toUpperCase())) return run.call(client, command, ...args);
      this.hook = this.gate(hooks);
      try {
        await this.hook;
      } finally {
        this.hook = null;
      }
      this.current = 'login-sent';
      const result = await run.call(client, command, ...args);
      this.current = 'logged-in';
      return result;
    };
  }

  private async gate(hooks: LoginCommandHooks): Promise<void> {
    if (this.abandoned) throw new LoginAbandonedError();
    try {
      await hooks.beforeLogin();
    } catch (err) {
      this.hookError = err;
      throw err;
    }
    if (!this.abandoned) return;
    await hooks.takeBack();
    throw new LoginAbandonedError();
  }

  get phase(): LoginPhase {
    return this.current;
  }

  /**
   * The connection is being closed: a login not yet sent will not be. Resolves once the policy
   * writes under way (the attempt, and taking it back) have finished, so the phase read after it is final.
   */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.hook?.catch(() => undefined);
  }
}
