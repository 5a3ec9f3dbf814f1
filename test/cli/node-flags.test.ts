/**
 * The helper's node flags are written in three places a JSON file cannot reach: bin.mjs's first
 * line (the installed command), and package.json's `helper` script. They must say what
 * helper/node-flags.json says, which the service files, `npm start` and the tests read.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import HELPER_NODE_FLAGS from '../../helper/node-flags.json';

const root = resolve(import.meta.dirname, '../..');

describe('helper node flags', () => {
  it('are the same in bin.mjs, the npm script and node-flags.json', () => {
    const shebang = readFileSync(resolve(root, 'helper/bin.mjs'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${HELPER_NODE_FLAGS.join(' ')}`);
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.helper).toBe(`node ${HELPER_NODE_FLAGS.join(' ')} helper/bin.mjs`);
  });

  it('run the helper without a word on stderr (V8 warns about conflicting flags there)', () => {
    const run = spawnSync(process.execPath, [...HELPER_NODE_FLAGS, resolve(root, 'helper/bin.mjs'), '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^mail-notifier helper \d+\.\d+\.\d+/);
    expect(run.stderr).toBe('');
  });
});
