import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GuessGate } from '../../helper/server/guess-gate';
import { PAIRING_CODE_SPACE, PAIRING_CODE_TTL_MS, PAIRING_GUESS_RATE, PairingCodes } from '../../helper/server/pairing';

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

  it('never cancels the code nor refuses the right one, however many wrong guesses come first', async () => {
    // The guess rate's timer moves this test's clock: waiting costs no real time.
    const pairing = new PairingCodes({ file, now, wait: async (ms) => void (clock += ms) });
    const { code } = await pairing.create();
    const started = clock;
    const guessers = Array.from({ length: 20 }, async (_, g) => {
      for (let i = 0; i < 50; i++) expect(await pairing.redeem(otherCode(code, 1 + ((g + i) % 31)))).toMatchObject({ ok: false, code: 'bad-pairing-code' });
    });
    await Promise.all(guessers);
    expect(await pairing.redeem(code)).toEqual({ ok: true });
    // 1,001 checks at 50 a second after a burst of 50: the wrong ones were slowed, not refused.
    expect(clock - started).toBeGreaterThanOrEqual(((1001 - PAIRING_GUESS_RATE.burst) / PAIRING_GUESS_RATE.ratePerSecond) * 1000 - 1);
  });

  it('drops a waiting guess whose connection has gone: it settles at once and never uses the rate', async () => {
    const waits: (() => void)[] = [];
    const pairing = new PairingCodes({
      file,
      now,
      guessRate: { ratePerSecond: 1, burst: 1 },
      wait: (ms) => new Promise<void>((resolve) => waits.push(() => ((clock += ms), resolve()))),
    });
    const { code } = await pairing.create();
    expect(await pairing.redeem(otherCode(code, 1))).toMatchObject({ ok: false });
    const second = pairing.redeem(otherCode(code, 2), new AbortController().signal);
    const leaving = new AbortController();
    const third = pairing.redeem(code, leaving.signal);
    leaving.abort();
    expect(await third).toEqual({ ok: false, code: 'bad-pairing-code', message: expect.stringContaining('closed') });
    await vi.waitFor(() => expect(waits).toHaveLength(1));
    waits[0]();
    expect(await second).toMatchObject({ ok: false, message: expect.stringContaining('Wrong') });
    // The gone guess was skipped without a turn at the rate: the code is still there for the user.
    const user = pairing.redeem(code);
    await vi.waitFor(() => expect(waits).toHaveLength(2));
    waits[1]();
    expect(await user).toEqual({ ok: true });
  });

  it("bounds an attacker's odds over a code's life below one in a million", () => {
    const most = GuessGate.mostGuessesWithin(PAIRING_GUESS_RATE, PAIRING_CODE_TTL_MS);
    expect(most / PAIRING_CODE_SPACE).toBeLessThanOrEqual(1e-6);
  });

  it('gives a new code to the user while an old one is being guessed', async () => {
    const pairing = new PairingCodes({ file, now, wait: async (ms) => void (clock += ms) });
    const first = await pairing.create();
    for (let i = 1; i <= 12; i++) await pairing.redeem(otherCode(first.code, i));
    const second = await pairing.create();
    expect(await pairing.redeem(second.code)).toEqual({ ok: true });
  });
});
