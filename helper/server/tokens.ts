/**
 * The tokens paired extensions use to authenticate. The file holds only SHA-256 hashes: reading
 * it does not let anyone in. The file is the truth and is read on every operation, so a token
 * revoked by another process (the CLI) is refused at the next auth, and the helper never writes
 * back a stale list that would bring a revoked token back to life; `watchFile` re-reads it when
 * it changes, so the sockets of a token revoked elsewhere are closed within seconds.
 *
 * A token belongs to the extension origin that paired it: used from any other origin it is
 * refused (tokens paired before origins were recorded take the origin of their next use).
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { dirname } from 'node:path';
import * as v from 'valibot';
import { corruptFile, ensureDir, readJson, writeJsonAtomic } from '../store/atomic-file';
import { withFileLock } from '../store/file-lock';
import { withoutControlCharacters } from '../text/control-characters';

export interface TokenInfo {
  /** Public handle for `list` and `revoke`; not a secret. */
  id: string;
  /** The client name given when pairing, without control characters and at most 64 characters. */
  label: string;
  /** The extension origin that paired (or first used) it. */
  origin?: string;
  createdAt: number;
  lastUsedAt?: number;
}

export type VerifyResult = { ok: true; info: TokenInfo } | { ok: false; reason: 'unknown token' | 'token of another extension origin' };

export interface IssuedToken {
  token: string;
  info: TokenInfo;
}

export type RevokeResult = { ok: true; revoked: TokenInfo } | { ok: false; reason: string };

const StoredTokenSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/)),
  label: v.string(),
  origin: v.optional(v.pipe(v.string(), v.maxLength(256))),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  createdAt: v.number(),
  lastUsedAt: v.optional(v.number()),
});
type StoredToken = v.InferOutput<typeof StoredTokenSchema>;

const TokenFileSchema = v.strictObject({ version: v.literal(1), tokens: v.array(StoredTokenSchema) });

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MIN_PREFIX = 4;
const MAX_LABEL = 64;
/** How often the file is checked for changes made by another process. */
const WATCH_INTERVAL_MS = 1000;

/** A client's name as the helper keeps and shows it: one clean line, bounded. */
export function cleanLabel(label: string): string {
  const clean = [...withoutControlCharacters(label)].slice(0, MAX_LABEL).join('').trim();
  return clean || 'unnamed browser';
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function publicInfo({ id, label, origin, createdAt, lastUsedAt }: StoredToken): TokenInfo {
  // Cleaned here too: a file written before names were cleaned may hold anything.
  return { id, label: cleanLabel(label), ...(origin !== undefined ? { origin } : {}), createdAt, ...(lastUsedAt !== undefined ? { lastUsedAt } : {}) };
}

export class TokenStore {
  private readonly file: string;
  private readonly now: () => number;
  private readonly randomBytes: (size: number) => Buffer;
  private readonly revokedListeners = new Set<(ids: readonly string[]) => void>();
  /** Ids seen at the last read: the ones missing from the next read were revoked elsewhere. */
  private known = new Set<string>();
  /** One operation at a time, so a read-modify-write is never interleaved with another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: { file: string; now?: () => number; randomBytes?: (size: number) => Buffer }) {
    this.file = options.file;
    this.now = options.now ?? Date.now;
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
  }

  /** Creates a token for a newly paired client; the token itself exists only in the return value. */
  issue(label: string, origin?: string): Promise<IssuedToken> {
    return this.locked(async () => {
      const tokens = await this.read();
      const token = this.randomBytes(32).toString('base64url');
      const entry: StoredToken = {
        id: this.newId(tokens),
        label: cleanLabel(label),
        ...(origin !== undefined ? { origin } : {}),
        hash: hashToken(token).toString('hex'),
        createdAt: this.now(),
      };
      await this.write([...tokens, entry]);
      return { token, info: publicInfo(entry) };
    });
  }

  /**
   * The token's entry, if it exists and belongs to `origin` (or to no origin yet). Every entry
   * is compared, in constant time, whatever matches.
   */
  verify(token: string, origin?: string): Promise<VerifyResult> {
    return this.exclusive(async (): Promise<VerifyResult> => {
      const tokens = await this.read();
      if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'unknown token' };
      const hash = hashToken(token);
      let match: StoredToken | null = null;
      for (const entry of tokens) {
        if (timingSafeEqual(Buffer.from(entry.hash, 'hex'), hash)) match = entry;
      }
      if (!match) return { ok: false, reason: 'unknown token' };
      if (match.origin !== undefined && match.origin !== origin) return { ok: false, reason: 'token of another extension origin' };
      return { ok: true, info: publicInfo(match) };
    });
  }

  /**
   * Records that a token was just used (and binds a token paired before origins were recorded
   * to `origin`); separate from verify so a full disk never blocks a login.
   */
  touch(id: string, origin?: string): Promise<void> {
    return this.locked(async () => {
      const tokens = await this.read();
      if (!tokens.some((entry) => entry.id === id)) return;
      const at = this.now();
      const used = (entry: StoredToken): StoredToken => ({ ...entry, lastUsedAt: at, ...(entry.origin === undefined && origin !== undefined ? { origin } : {}) });
      await this.write(tokens.map((entry) => (entry.id === id ? used(entry) : entry)));
    });
  }

  list(): Promise<TokenInfo[]> {
    return this.exclusive(async () => (await this.read()).map(publicInfo));
  }

  /** By full id or a unique prefix of at least 4 characters. Open connections are closed by the listeners. */
  revoke(idOrPrefix: string): Promise<RevokeResult> {
    return this.locked(async (): Promise<RevokeResult> => {
      const tokens = await this.read();
      const wanted = idOrPrefix.trim().toLowerCase();
      const exact = tokens.filter((entry) => entry.id === wanted);
      const matches = exact.length > 0 ? exact : wanted.length >= MIN_PREFIX ? tokens.filter((entry) => entry.id.startsWith(wanted)) : [];
      if (matches.length === 0) {
        return { ok: false, reason: wanted.length < MIN_PREFIX ? `Give at least ${MIN_PREFIX} characters of the token id.` : `No token with id ${wanted}.` };
      }
      if (matches.length > 1) return { ok: false, reason: `${wanted} matches ${matches.length} tokens: give more characters.` };
      const [revoked] = matches;
      await this.write(tokens.filter((entry) => entry !== revoked));
      this.notifyRevoked([revoked.id]);
      return { ok: true, revoked: publicInfo(revoked) };
    });
  }

  /**
   * Re-reads the file whenever another process changes it (the CLI's `tokens revoke`), so the
   * listeners hear of revoked tokens within about a second. Returns the function that stops it.
   */
  watchFile(intervalMs = WATCH_INTERVAL_MS): () => void {
    const reread = () => {
      // A damaged file is reported by the next auth; the watch itself has no one to tell.
      this.list().catch(() => undefined);
    };
    watchFile(this.file, { interval: intervalMs, persistent: false }, reread);
    return () => unwatchFile(this.file, reread);
  }

  /** Called with the ids of tokens that stopped being valid; returns the unsubscribe function. */
  onRevoked(listener: (ids: readonly string[]) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** A read-modify-write: one at a time here, and under the file lock against other processes. */
  private locked<T>(operation: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await ensureDir(dirname(this.file));
      return withFileLock(this.file, operation);
    });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async read(): Promise<StoredToken[]> {
    const raw = await readJson(this.file);
    if (raw === undefined) return this.observe([]);
    const parsed = v.safeParse(TokenFileSchema, raw);
    if (!parsed.success) throw corruptFile(this.file, 'it is not a token list');
    return this.observe(parsed.output.tokens);
  }

  private async write(tokens: StoredToken[]): Promise<void> {
    await writeJsonAtomic(this.file, { version: 1, tokens }, { mode: 0o600 });
    this.known = new Set(tokens.map((entry) => entry.id));
  }

  private observe(tokens: StoredToken[]): StoredToken[] {
    const present = new Set(tokens.map((entry) => entry.id));
    const gone = [...this.known].filter((id) => !present.has(id));
    this.known = present;
    if (gone.length > 0) this.notifyRevoked(gone);
    return tokens;
  }

  private notifyRevoked(ids: readonly string[]): void {
    for (const listener of this.revokedListeners) listener(ids);
  }

  private newId(tokens: StoredToken[]): string {
    // 48 random bits: a clash among a handful of tokens is near impossible, and the loop is bounded.
    for (let attempt = 0; attempt < 8; attempt++) {
      const id = this.randomBytes(6).toString('hex');
      if (!tokens.some((entry) => entry.id === id)) return id;
    }
    throw new Error('Could not pick an unused token id.');
  }
}
