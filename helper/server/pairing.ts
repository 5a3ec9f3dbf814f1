/**
 * One-time pairing codes: what a user copies from the terminal into the extension to get a token.
 *
 * The active code lives as a SHA-256 hash in a small file (mode 0600) in the state folder, so the
 * process that prints a code need not be the one that redeems it: the helper creates one at first
 * start, and a `pair` CLI command run while the helper is up simply calls `create()` on the same
 * file and prints the result; the running helper sees the new code at the next `pair` request.
 * No IPC, and the code itself is never written anywhere.
 *
 * 8 symbols from a 32-letter alphabet is 40 bits; with at most 10 guesses per code (then it is
 * cancelled) and a growing wait after 5 wrong guesses in a row, guessing is hopeless.
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as v from 'valibot';
import { corruptFile, readJson, toStorageError, writeJsonAtomic } from '../store/atomic-file';

/** No 0/O, 1/I: easy to read aloud and to type. 32 symbols, so a random byte maps without bias. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Wrong guesses in a row allowed before each further guess must wait. */
const FREE_FAILURES = 5;
/** Wrong guesses after which the code is cancelled. */
const MAX_FAILURES = 10;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 15 * 60_000;

export interface PairingCode {
  /** As shown to the user: XXXX-XXXX. */
  code: string;
  expiresAt: number;
}

export type RedeemResult = { ok: true } | { ok: false; code: 'bad-pairing-code' | 'rate-limited'; message: string };

const RecordSchema = v.strictObject({
  version: v.literal(1),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  createdAt: v.number(),
  expiresAt: v.number(),
});
type PairingRecord = v.InferOutput<typeof RecordSchema>;

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
  private failures = 0;
  private blockedUntil = 0;
  /** The code the failure count is about: a new code starts from a clean slate. */
  private countedHash: string | null = null;
  /** One redeem at a time: two right guesses racing must not both win a single-use code. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: { file: string; now?: () => number; randomBytes?: (size: number) => Buffer }) {
    this.file = options.file;
    this.now = options.now ?? Date.now;
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
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

  /** Consumes the active code if `input` is it. */
  redeem(input: string): Promise<RedeemResult> {
    return this.exclusive(async (): Promise<RedeemResult> => {
      const record = await this.read();
      const now = this.now();
      if (record && record.hash !== this.countedHash) {
        this.countedHash = record.hash;
        this.failures = 0;
        this.blockedUntil = 0;
      }
      if (now < this.blockedUntil) {
        const seconds = Math.ceil((this.blockedUntil - now) / 1000);
        return { ok: false, code: 'rate-limited', message: `Too many wrong pairing codes: try again in ${seconds} s.` };
      }
      if (!record) return this.wrong(now, 'No pairing code is active: run the helper\'s `pair` command to get one.');
      if (now >= record.expiresAt) {
        await this.remove();
        return { ok: false, code: 'bad-pairing-code', message: 'This pairing code has expired: run the helper\'s `pair` command for a new one.' };
      }
      const normalized = normalize(input);
      if (normalized === null || !timingSafeEqual(hashCode(normalized), Buffer.from(record.hash, 'hex'))) {
        return this.wrong(now, 'Wrong pairing code.');
      }
      await this.remove();
      this.failures = 0;
      this.blockedUntil = 0;
      return { ok: true };
    });
  }

  private async wrong(now: number, message: string): Promise<RedeemResult> {
    this.failures += 1;
    if (this.failures >= FREE_FAILURES) {
      this.blockedUntil = now + Math.min(BASE_DELAY_MS * 2 ** (this.failures - FREE_FAILURES), MAX_DELAY_MS);
    }
    if (this.failures === MAX_FAILURES) {
      await this.remove();
      return { ok: false, code: 'bad-pairing-code', message: 'Too many wrong pairing codes: the code is cancelled. Run the helper\'s `pair` command for a new one.' };
    }
    return { ok: false, code: 'bad-pairing-code', message };
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
