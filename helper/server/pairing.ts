/**
 * One-time pairing codes: what a user copies from the terminal into the extension to get a token.
 *
 * The active code lives as a SHA-256 hash in a small file (mode 0600) in the state folder, so the
 * process that prints a code need not be the one that redeems it: the helper creates one at first
 * start, and a `pair` CLI command run while the helper is up simply calls `create()` on the same
 * file and prints the result; the running helper sees the new code at the next `pair` request.
 * No IPC, and the code itself is never written anywhere.
 *
 * 8 symbols from a 32-letter alphabet is 40 bits. Guesses are checked one at a time through a
 * GuessGate shared by every connection (50 a second), so in a code's 10 minutes at most 30,050
 * are checked, whoever sends them: the odds that any of them is right are 30,050 / 2^40 < 3e-8.
 * A wrong guess never cancels the code nor blocks the right one (that would let any local
 * process lock the user out); it only waits its turn.
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as v from 'valibot';
import { corruptFile, readJson, toStorageError, writeJsonAtomic } from '../store/atomic-file';
import { GuessGate, type GuessGateOptions } from './guess-gate';

/** No 0/O, 1/I: easy to read aloud and to type. 32 symbols, so a random byte maps without bias. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** All connections together; the user waits about (guessing connections) / 50 seconds. */
export const PAIRING_GUESS_RATE = { ratePerSecond: 50, burst: 50 } as const;
/** The possible codes: 32 symbols, 8 of them. */
export const PAIRING_CODE_SPACE = 32 ** 8;

export interface PairingCode {
  /** As shown to the user: XXXX-XXXX. */
  code: string;
  expiresAt: number;
}

export type RedeemResult = { ok: true } | { ok: false; code: 'bad-pairing-code'; message: string };

const RecordSchema = v.strictObject({
  version: v.literal(1),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  createdAt: v.number(),
  expiresAt: v.number(),
});
type PairingRecord = v.InferOutput<typeof RecordSchema>;

function wrong(message: string): RedeemResult {
  return { ok: false, code: 'bad-pairing-code', message };
}

function gone(): RedeemResult {
  return wrong('The connection closed before this code was checked.');
}

function hashCode(normalized: string): Buffer {
  return createHash('sha256').update(normalized, 'utf8').digest();
}

/** Case, spaces and the dash do not matter; anything outside the alphabet can't match. */
function normalize(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  return compact.length === CODE_LENGTH && [...compact].every((c) => ALPHABET.includes(c)) ? compact : null;
}

export class PairingCodes {
  private readonly file: string;
  private readonly now: () => number;
  private readonly randomBytes: (size: number) => Buffer;
  private readonly gate: GuessGate;
  /**
   * One redeem at a time: two right guesses racing must not both win a single-use code, and
   * guesses wait for the gate in the order they came.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: {
    file: string;
    now?: () => number;
    randomBytes?: (size: number) => Buffer;
    /** The guess rate's timer; tests pass one that moves their clock. */
    wait?: GuessGateOptions['wait'];
    guessRate?: Pick<GuessGateOptions, 'ratePerSecond' | 'burst'>;
  }) {
    this.file = options.file;
    this.now = options.now ?? Date.now;
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
    this.gate = new GuessGate({
      ...(options.guessRate ?? PAIRING_GUESS_RATE),
      now: this.now,
      wait: options.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
  }

  /** Replaces any active code. The returned code is for printing only; it is stored hashed. */
  create(): Promise<PairingCode> {
    return this.exclusive(async () => {
      const symbols = [...this.randomBytes(CODE_LENGTH)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
      const createdAt = this.now();
      const record: PairingRecord = { version: 1, hash: hashCode(symbols).toString('hex'), createdAt, expiresAt: createdAt + PAIRING_CODE_TTL_MS };
      await writeJsonAtomic(this.file, record, { mode: 0o600 });
      return { code: `${symbols.slice(0, 4)}-${symbols.slice(4)}`, expiresAt: record.expiresAt };
    });
  }

  /**
   * Consumes the active code if `input` is it; waits for its turn at the guess rate first. A guess
   * whose connection has gone (`signal` aborted) settles at once and, at its turn, is skipped
   * without being counted: dead guesses neither hold their connection's memory nor delay the user.
   */
  redeem(input: string, signal?: AbortSignal): Promise<RedeemResult> {
    const turn = this.exclusive(async (): Promise<RedeemResult> => {
      if (signal?.aborted) return gone();
      await this.gate.take();
      const record = await this.read();
      if (!record) return wrong('No pairing code is active: run the helper\'s `pair` command to get one.');
      if (this.now() >= record.expiresAt) {
        await this.remove();
        return wrong('This pairing code has expired: run the helper\'s `pair` command for a new one.');
      }
      const normalized = normalize(input);
      if (normalized === null || !timingSafeEqual(hashCode(normalized), Buffer.from(record.hash, 'hex'))) {
        return wrong('Wrong pairing code: check it against the one the helper printed.');
      }
      await this.remove();
      return { ok: true };
    });
    if (!signal) return turn;
    if (signal.aborted) return Promise.resolve(gone());
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(gone());
      signal.addEventListener('abort', onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<PairingRecord | null> {
    const raw = await readJson(this.file);
    if (raw === undefined) return null;
    const parsed = v.safeParse(RecordSchema, raw);
    if (!parsed.success) throw corruptFile(this.file, 'it is not a pairing code record');
    return parsed.output;
  }

  private async remove(): Promise<void> {
    try {
      await rm(this.file, { force: true });
    } catch (err) {
      throw toStorageError(err, this.file, 'remove');
    }
  }
}
