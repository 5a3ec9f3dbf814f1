/**
 * Requests from the `helper` command to the running helper (`helper retry ACCOUNT`), as files in
 * the state dir's `requests/` folder: no socket is opened for it, and only the user, who owns
 * that folder, can ask. The helper watches the folder, answers each request with a reply file
 * next to it and deletes the request; the command waits for the reply, bounded.
 */
import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { ensureDir, readJson, writeJsonAtomic } from './store/atomic-file';
import { helperCommand } from './command-name';

const RequestSchema = v.strictObject({ type: v.literal('retry-login'), accountId: v.pipe(v.string(), v.maxLength(128)) });
export type ControlRequest = v.InferOutput<typeof RequestSchema>;
const ReplySchema = v.strictObject({ ok: v.boolean(), message: v.pipe(v.string(), v.maxLength(2048)) });
export type ControlReply = v.InferOutput<typeof ReplySchema>;

const REQUEST = /^([0-9a-f-]{36})\.request\.json$/;
const REPLY_TIMEOUT_MS = 10_000;
/** Besides the folder watch: a watch can miss an event on some file systems. */
const REPLY_POLL_MS = 250;

export function requestsDir(stateDir: string): string {
  return join(stateDir, 'requests');
}

export class ControlInbox {
  private busy: Promise<void> = Promise.resolve();
  private again = false;

  private constructor(
    private readonly dir: string,
    private readonly handle: (request: ControlRequest) => Promise<ControlReply>,
    private watcher: FSWatcher | null = null,
  ) {}

  /** Watches the folder; requests left from before are answered at once. */
  static async open(stateDir: string, handle: (request: ControlRequest) => Promise<ControlReply>): Promise<ControlInbox> {
    const dir = requestsDir(stateDir);
    await ensureDir(dir);
    const inbox = new ControlInbox(dir, handle);
    inbox.watcher = watch(dir, () => inbox.drain());
    inbox.watcher.on('error', () => undefined);
    inbox.drain();
    return inbox;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Handles every request in the folder, one at a time; a change during a pass runs one more. */
  private drain(): void {
    if (this.again) return;
    this.again = true;
    this.busy = this.busy.then(async () => {
      this.again = false;
      const names = await readdir(this.dir).catch(() => [] as string[]);
      for (const name of names) {
        const id = REQUEST.exec(name)?.[1];
        if (id) await this.answer(id);
      }
    });
  }

  private async answer(id: string): Promise<void> {
    const path = join(this.dir, `${id}.request.json`);
    const raw = await readJson(path).catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    const parsed = v.safeParse(RequestSchema, raw);
    let reply: ControlReply;
    try {
      reply = parsed.success ? await this.handle(parsed.output) : { ok: false, message: 'The helper did not understand the request.' };
    } catch (err) {
      reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    await writeJsonAtomic(join(this.dir, `${id}.reply.json`), reply, { mode: 0o600 }).catch(() => undefined);
  }
}

/** Sends a request to the running helper and resolves with its reply; throws if none comes in 10 s. */
export async function sendControlRequest(stateDir: string, request: ControlRequest, timeoutMs = REPLY_TIMEOUT_MS): Promise<ControlReply> {
  const dir = requestsDir(stateDir);
  await ensureDir(dir);
  const id = randomUUID();
  const replyPath = join(dir, `${id}.reply.json`);
  await writeJsonAtomic(join(dir, `${id}.request.json`), request, { mode: 0o600 });
  const reply = await new Promise<unknown>((resolve) => {
    const check = async () => {
      const raw = await readJson(replyPath).catch(() => undefined);
      if (raw !== undefined) finish(raw);
    };
    const watcher = watch(dir, () => void check());
    watcher.on('error', () => undefined);
    const poll = setInterval(() => void check(), REPLY_POLL_MS);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    let done = false;
    const finish = (value: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher.close();
      resolve(value);
    };
    void check();
  });
  await rm(replyPath, { force: true }).catch(() => undefined);
  if (reply === undefined) {
    await rm(join(dir, `${id}.request.json`), { force: true }).catch(() => undefined);
    throw new Error(`The helper did not answer within ${timeoutMs / 1000} s. Is it still running? \`${helperCommand('status')}\` tells.`);
  }
  const parsed = v.safeParse(ReplySchema, reply);
  if (!parsed.success) throw new Error('The helper answered something this command does not understand: are both the same version?');
  return parsed.output;
}
