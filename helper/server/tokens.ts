/**
 * The tokens paired extensions use to authenticate. The file holds only SHA-256 hashes: reading
 * it does not let anyone in. The file is the truth and is read on every operation, so a token
 * revoked by another process (the CLI) is refused at the next auth, and the helper never writes
 * back a stale list that would bring a revoked token back to life.
 */
import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { corruptFile, readJson, writeJsonAtomic } from '../store/atomic-file';

export interface TokenInfo {
  /** Public handle for `list` and `revoke`; not a secret. */
  id: string;
  /** The client name given when pairing. */
  label: string;
  createdAt: number;
  lastUsedAt?: number;
}

export interface IssuedToken {
  token: string;
  info: TokenInfo;
}

export type RevokeResult = { ok: true; revoked: TokenInfo } | { ok: false; reason: string };

const StoredTokenSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/)),
  label: v.string(),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  createdAt: v.number(),
  lastUsedAt: v.optional(v.number()),
});
type StoredToken = v.InferOutput<typeof StoredTokenSchema>;

const TokenFileSchema = v.strictObject({ version: v.literal(1), tokens: v.array(StoredTokenSchema) });

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MIN_PREFIX = 4;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function publicInfo({ id, label, createdAt, lastUsedAt }: StoredToken): TokenInfo {
  return { id, label, createdAt, ...(lastUsedAt !== undefined ? { lastUsedAt } : {}) };
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
  issue(label: string): Promise<IssuedToken> {
    return this.exclusive(async () => {
      const tokens = await this.read();
      const token = this.randomBytes(32).toString('base64url');
      const entry: StoredToken = {
        id: this.newId(tokens),
        label,
        hash: hashToken(token).toString('hex'),
        createdAt: this.now(),
      };
      await this.write([...tokens, entry]);
      return { token, info: publicInfo(entry) };
    });
  }

  /** The token's entry, or null. Every entry is compared, in constant time, whatever matches. */
  verify(token: string): Promise<TokenInfo | null> {
    return this.exclusive(async () => {
      const tokens = await this.read();
      if (!TOKEN_PATTERN.test(token)) return null;
      const hash = hashToken(token);
      let match: StoredToken | null = null;
      for (const entry of tokens) {
        if (timingSafeEqual(Buffer.from(entry.hash, 'hex'), hash)) match = entry;
      }
      return match ? publicInfo(match) : null;
    });
  }

  /** Records that a token was just used; separate from verify so a full disk never blocks a login. */
  touch(id: string): Promise<void> {
    return this.exclusive(async () => {
      const tokens = await this.read();
      if (!tokens.some((entry) => entry.id === id)) return;
      const at = this.now();
      await this.write(tokens.map((entry) => (entry.id === id ? { ...entry, lastUsedAt: at } : entry)));
    });
  }

  list(): Promise<TokenInfo[]> {
    return this.exclusive(async () => (await this.read()).map(publicInfo));
  }

  /** By full id or a unique prefix of at least 4 characters. Open connections are closed by the listeners. */
  revoke(idOrPrefix: string): Promise<RevokeResult> {
    return this.exclusive(async (): Promise<RevokeResult> => {
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

  /** Called with the ids of tokens that stopped being valid; returns the unsubscribe function. */
  onRevoked(listener: (ids: readonly string[]) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
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
