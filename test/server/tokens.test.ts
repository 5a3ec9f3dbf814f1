import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../../helper/server/tokens';

let dir: string;
let file: string;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokens-'));
  file = join(dir, 'state', 'tokens.json');
  clock = 1_000;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TokenStore', () => {
  it('issues 32-byte base64url tokens that verify, and stores only their hashes, privately', async () => {
    const store = new TokenStore({ file, now });
    const { token, info } = await store.issue('Chrome on laptop');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(info).toEqual({ id: expect.stringMatching(/^[0-9a-f]{12}$/), label: 'Chrome on laptop', createdAt: 1_000 });

    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toContain(createHash('sha256').update(token).digest('hex'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    expect(await store.verify(token)).toEqual(info);
    // A second store on the same file (a restart) knows the token too.
    expect(await new TokenStore({ file }).verify(token)).toEqual(info);
  });

  it('refuses wrong, malformed and near-miss tokens', async () => {
    const store = new TokenStore({ file, now });
    const { token } = await store.issue('a');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const candidate of [flipped, '', 'x'.repeat(43), `${token}=`, token.slice(1), 'x'.repeat(256)]) {
      expect(await store.verify(candidate)).toBeNull();
    }
  });

  it('records last use, and lists without secrets', async () => {
    const store = new TokenStore({ file, now });
    const { token, info } = await store.issue('Firefox');
    clock = 5_000;
    await store.touch(info.id);
    const listed = await store.list();
    expect(listed).toEqual([{ id: info.id, label: 'Firefox', createdAt: 1_000, lastUsedAt: 5_000 }]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(listed)).not.toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('revokes by id or unique prefix, refuses the token at once and tells listeners', async () => {
    const store = new TokenStore({ file, now });
    const first = await store.issue('one');
    const second = await store.issue('two');
    const revokedIds: string[][] = [];
    store.onRevoked((ids) => revokedIds.push([...ids]));

    expect(await store.revoke('ab')).toEqual({ ok: false, reason: expect.stringContaining('at least 4') });
    expect(await store.revoke('ffffffffffff')).toEqual({ ok: false, reason: expect.stringContaining('No token') });
    expect(await store.revoke(first.info.id.slice(0, 6).toUpperCase())).toEqual({ ok: true, revoked: first.info });
    expect(revokedIds).toEqual([[first.info.id]]);
    expect(await store.verify(first.token)).toBeNull();
    expect(await store.verify(second.token)).toEqual(second.info);
    expect((await store.list()).map((t) => t.id)).toEqual([second.info.id]);
  });

  it('says when a prefix is ambiguous instead of guessing', async () => {
    let n = 0;
    // Ids 0a0a0a…01 and 0a0a0a…02: same 10-character prefix.
    const randomBytes = (size: number) => (size === 6 ? Buffer.from([10, 10, 10, 10, 10, ++n]) : Buffer.alloc(size, n));
    const store = new TokenStore({ file, now, randomBytes });
    await store.issue('one');
    await store.issue('two');
    expect(await store.revoke('0a0a0a0a0a')).toEqual({ ok: false, reason: expect.stringContaining('matches 2 tokens') });
    expect(await store.list()).toHaveLength(2);
  });

  it('notices a token revoked by another process and never writes it back', async () => {
    const helper = new TokenStore({ file, now });
    const cli = new TokenStore({ file, now });
    const kept = await helper.issue('kept');
    const dropped = await helper.issue('dropped');
    const revokedIds: string[][] = [];
    helper.onRevoked((ids) => revokedIds.push([...ids]));

    expect((await cli.revoke(dropped.info.id)).ok).toBe(true);
    expect(await helper.verify(dropped.token)).toBeNull();
    expect(revokedIds).toEqual([[dropped.info.id]]);
    await helper.touch(kept.info.id);
    expect((await cli.list()).map((t) => t.id)).toEqual([kept.info.id]);
  });

  it('reports a damaged file instead of starting from nothing', async () => {
    const store = new TokenStore({ file, now });
    await store.issue('a');
    await writeFile(file, '{"version":1,"tokens":[{"id":"x"}]}');
    await expect(store.verify('x'.repeat(43))).rejects.toThrow(/damaged/);
  });
});
