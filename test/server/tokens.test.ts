import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../../helper/server/tokens';
import { withTimeout } from '../harness/wait';

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

    expect(await store.verify(token)).toEqual({ ok: true, info });
    // A second store on the same file (a restart) knows the token too.
    expect(await new TokenStore({ file }).verify(token)).toEqual({ ok: true, info });
  });

  it('refuses wrong, malformed and near-miss tokens', async () => {
    const store = new TokenStore({ file, now });
    const { token } = await store.issue('a');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const candidate of [flipped, '', 'x'.repeat(43), `${token}=`, token.slice(1), 'x'.repeat(256)]) {
      expect(await store.verify(candidate)).toEqual({ ok: false, reason: 'unknown token' });
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
    expect(await store.verify(first.token)).toMatchObject({ ok: false });
    expect(await store.verify(second.token)).toEqual({ ok: true, info: second.info });
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
    expect(await helper.verify(dropped.token)).toMatchObject({ ok: false });
    expect(revokedIds).toEqual([[dropped.info.id]]);
    await helper.touch(kept.info.id);
    expect((await cli.list()).map((t) => t.id)).toEqual([kept.info.id]);
  });

  it('never brings back a token revoked by another process while the helper records its use', async () => {
    const helper = new TokenStore({ file, now });
    const cli = new TokenStore({ file, now });
    const dropped = await helper.issue('dropped');
    const touches = Array.from({ length: 20 }, () => helper.touch(dropped.info.id));
    const revoke = cli.revoke(dropped.info.id);
    await Promise.all([...touches, revoke]);
    expect(await revoke).toMatchObject({ ok: true });
    expect(await cli.list()).toEqual([]);
    expect(await helper.verify(dropped.token)).toMatchObject({ ok: false });
  });

  it('takes over a lock left by a process that died', async () => {
    const store = new TokenStore({ file, now });
    await store.issue('first');
    await writeFile(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    await store.issue('second');
    expect(await store.list()).toHaveLength(2);
  });

  it('tells listeners within a watch interval when another process revokes a token, with no auth needed', async () => {
    const helper = new TokenStore({ file, now });
    const cli = new TokenStore({ file, now });
    const dropped = await helper.issue('dropped');
    await helper.issue('kept');
    const revoked = new Promise<readonly string[]>((resolve) => helper.onRevoked(resolve));
    const stop = helper.watchFile(50);
    try {
      expect((await cli.revoke(dropped.info.id)).ok).toBe(true);
      expect(await withTimeout(revoked, 5000, 'the watch to notice')).toEqual([dropped.info.id]);
    } finally {
      stop();
    }
  });

  it('binds a token to the extension origin that paired it and refuses it from any other', async () => {
    const store = new TokenStore({ file, now });
    const chrome = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const { token, info } = await store.issue('Chrome', chrome);
    expect(info.origin).toBe(chrome);
    expect(await store.verify(token, chrome)).toEqual({ ok: true, info });
    expect(await store.verify(token, 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba')).toEqual({ ok: false, reason: 'token of another extension origin' });
    expect(await store.verify(token)).toMatchObject({ ok: false });
  });

  it('binds a token paired before origins were recorded to the origin of its next use', async () => {
    const store = new TokenStore({ file, now });
    const { token, info } = await store.issue('old pairing');
    const firefox = 'moz-extension://0b0b0b0b-1111-4222-8333-444444444444';
    expect(await store.verify(token, firefox)).toEqual({ ok: true, info });
    await store.touch(info.id, firefox);
    expect(await store.verify(token, firefox)).toMatchObject({ ok: true, info: { origin: firefox } });
    expect(await store.verify(token, 'moz-extension://0c0c0c0c-1111-4222-8333-444444444444')).toMatchObject({ ok: false });
  });

  it('keeps a client name one clean, bounded line, even from an older file', async () => {
    const store = new TokenStore({ file, now });
    const hostile = '\u001b[2J\u001b[1;1HChrome\r\nfake-id  Trusted laptop\u202e\u0000' + 'x'.repeat(500);
    const { info } = await store.issue(hostile);
    expect(info.label).toMatch(/^\[2J \[1;1HChrome fake-id Trusted laptop x+$/);
    expect([...info.label].length).toBeLessThanOrEqual(64);
    expect((await store.issue(' \u0007\r\n ')).info.label).toBe('unnamed browser');

    const raw = JSON.parse(await readFile(file, 'utf8')) as { tokens: { label: string }[] };
    raw.tokens[0].label = 'written\rby hand\u001b[31m';
    await writeFile(file, JSON.stringify(raw));
    expect((await store.list())[0].label).toBe('written by hand [31m');
  });

  it('reports a damaged file instead of starting from nothing', async () => {
    const store = new TokenStore({ file, now });
    await store.issue('a');
    await writeFile(file, '{"version":1,"tokens":[{"id":"x"}]}');
    await expect(store.verify('x'.repeat(43))).rejects.toThrow(/damaged/);
  });
});
