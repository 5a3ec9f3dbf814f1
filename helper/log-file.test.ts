import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from './log';
import { rotatingLogFile } from './log-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mn-log-file-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('the rotating log file', () => {
  it('never holds more than its cap: the older lines move to FILE.1, whatever is logged', async () => {
    const path = join(dir, 'logs', 'helper.err.log');
    const logger = createLogger({ destination: rotatingLogFile(path, 4096) });
    for (let i = 0; i < 1000; i++) logger.warn({ n: i, filler: 'x'.repeat(50) }, 'something happened');
    const current = await readFile(path, 'utf8');
    const previous = await readFile(`${path}.1`, 'utf8');
    expect(Buffer.byteLength(current)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(previous)).toBeLessThanOrEqual(4096);
    // Whole lines only, and the newest line is in the current file.
    for (const line of [...current.trim().split('\n'), ...previous.trim().split('\n')]) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(current.trim().split('\n').at(-1)!)).toMatchObject({ n: 999 });
    expect((await stat(path)).mode & 0o077).toBe(0);
  });

  it('counts what an earlier run left in the file', async () => {
    const path = join(dir, 'helper.err.log');
    createLogger({ destination: rotatingLogFile(path, 4096) }).warn({ filler: 'y'.repeat(3000) }, 'first run');
    createLogger({ destination: rotatingLogFile(path, 4096) }).warn({ filler: 'z'.repeat(3000) }, 'second run');
    expect(await readFile(`${path}.1`, 'utf8')).toContain('first run');
    expect(await readFile(path, 'utf8')).not.toContain('first run');
  });
});
