import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperPaths, unpackRoot } from './paths';

describe('helperPaths', () => {
  it('puts everything under MAIL_NOTIFIER_HOME when set', () => {
    const root = resolve('/tmp/mn');
    expect(helperPaths({ MAIL_NOTIFIER_HOME: '/tmp/mn' })).toEqual({
      configDir: join(root, 'config'),
      stateDir: join(root, 'state'),
      logDir: join(root, 'log'),
    });
    expect(helperPaths({ MAIL_NOTIFIER_HOME: 'rel' }).configDir).toBe(join(resolve('rel'), 'config'));
  });

  it('uses the platform folders named mail-notifier otherwise', () => {
    const paths = helperPaths({});
    for (const dir of Object.values(paths)) expect(dir).toMatch(/[/\\]mail-notifier$/);
    expect(new Set(Object.values(paths)).size).toBe(3);
  });

  it('puts the single executable\'s unpacked files under MAIL_NOTIFIER_HOME, or in the platform\'s cache folder', () => {
    expect(unpackRoot({ MAIL_NOTIFIER_HOME: '/tmp/mn' })).toBe(join(resolve('/tmp/mn'), 'runtime'));
    const cached = unpackRoot({});
    expect(cached).toMatch(/[/\\]mail-notifier[/\\]runtime$/);
    expect(Object.values(helperPaths({})).map((dir) => join(dir, 'runtime'))).not.toContain(cached);
  });
});
