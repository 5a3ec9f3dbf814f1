import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAIRING_CODE_TTL_MS, PairingCodes } from '../../helper/server/pairing';

let dir: string;
let file: string;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pairing-'));
  file = join(dir, 'pairing.json');
  clock = 1_000_000;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The n-th (1…31) wrong code next to `code`: same alphabet, last symbol shifted. */
function otherCode(code: string, n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return `${code.slice(0, 8)}${alphabet[(alphabet.indexOf(code[8]) + n) % 32]}`;
}

describe('PairingCodes', () => {
  it('creates XXXX-XXXX codes from an unambiguous alphabet, stored only hashed in a private file', async () => {
    const pairing = new PairingCodes({ file, now });
    const { code, expiresAt } = await pairing.create();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(expiresAt).toBe(clock + PAIRING_CODE_TTL_MS);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(code.replace('-', ''));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('uses every random byte without bias: 32 symbols', async () => {
    const pairing = new PairingCodes({ file, now, randomBytes: (n) => Buffer.from(Array.from({ length: n }, (_, i) => i * 32 + 31)) });
    expect((await pairing.create()).code).toBe('9999-9999');
  });

  it('accepts the code once, with or without the dash, in any case', async () => {
    const pairing = new PairingCodes({ file, now });
    const { code } = await pairing.create();
    expect(await pairing.redeem(code.replace('-', '').toLowerCase())).toEqual({ ok: true });
    expect(await pairing.redeem(code)).toMatchObject({ ok: false, code: 'bad-pairing-code' });

    const second = await pairing.create();
    expect(await pairing.redeem(` ${second.code.toLowerCase()} `)).toEqual({ ok: true });
  });

  it('lets only one of two simultaneous right answers win', async () => {
    const pairing = new PairingCodes({ file, now });
    const { code } = await pairing.create();
    const results = await Promise.all([pairing.redeem(code), pairing.redeem(code)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('expires after 10 minutes', async () => {
    const pairing = new PairingCodes({ file, now });
    const { code } = await pairing.create();
    clock += PAIRING_CODE_TTL_MS;
    expect(await pairing.redeem(code)).toEqual({ ok: false, code: 'bad-pairing-code', message: expect.stringContaining('expired') });
    clock -= 1;
    expect(await pairing.redeem(code)).toMatchObject({ ok: false, message: expect.stringContaining('No pairing code') });
  });

  it('is redeemed by the process that did not create it (the CLI creates, the helper redeems)', async () => {
    const helper = new PairingCodes({ file, now });
    const { code } = await new PairingCodes({ file, now }).create();
    expect(await helper.redeem(code)).toEqual({ ok: true });
  });

  it('slows guessing after 5 wrong codes, with a growing wait, and cancels the code after 10', async () => {
    const pairing = new PairingCodes({ file, now });
    const { code } = await pairing.create();
    for (let i = 1; i <= 4; i++) expect(await pairing.redeem(otherCode(code, i))).toMatchObject({ code: 'bad-pairing-code' });
    expect(await pairing.redeem(otherCode(code, 5))).toMatchObject({ code: 'bad-pairing-code' });

    // 5 in a row: even the right code is refused until the wait is over (1 s, then 2, 4, 8, 16).
    expect(await pairing.redeem(code)).toEqual({ ok: false, code: 'rate-limited', message: expect.stringContaining('1 s') });
    const waits: number[] = [1_000];
    for (let failure = 6; failure <= 9; failure++) {
      clock += waits[waits.length - 1];
      expect(await pairing.redeem(otherCode(code, failure))).toMatchObject({ code: 'bad-pairing-code' });
      clock += waits[waits.length - 1] * 2 - 1;
      expect(await pairing.redeem(code)).toMatchObject({ code: 'rate-limited' });
      clock -= waits[waits.length - 1] * 2 - 1;
      waits.push(waits[waits.length - 1] * 2);
    }
    clock += waits[waits.length - 1];
    expect(await pairing.redeem(otherCode(code, 10))).toEqual({ ok: false, code: 'bad-pairing-code', message: expect.stringContaining('cancelled') });
    clock += 60 * 60_000;
    expect(await pairing.redeem(code)).toMatchObject({ ok: false, code: 'bad-pairing-code' });
  });

  it('gives a new code a clean slate', async () => {
    const pairing = new PairingCodes({ file, now });
    const first = await pairing.create();
    for (let i = 1; i <= 6; i++) await pairing.redeem(otherCode(first.code, i));
    expect(await pairing.redeem(first.code)).toMatchObject({ code: 'rate-limited' });
    const second = await pairing.create();
    expect(await pairing.redeem(second.code)).toEqual({ ok: true });
  });
});
