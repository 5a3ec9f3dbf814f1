/**
 * Every log line the helper writes during the suite goes to test-artifacts/logs/, and every secret
 * a test uses (passwords, tokens, pairing codes) is listed in test-artifacts/secrets.txt, so that
 * scripts/check-test-logs.mjs can prove, after the whole suite, that no secret was ever logged.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import pino from 'pino';
import { createLogger } from '../../helper/log';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/** Remembers a secret the suite-wide log check must not find. */
export function recordSecret(value: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(join(ARTIFACTS, 'secrets.txt'), `${value}\n`);
  return value;
}

/** The helper's own redacting logger, writing to a file per test file. */
export function testLogger(testFile: string) {
  const dir = join(ARTIFACTS, 'logs');
  mkdirSync(dir, { recursive: true });
  return createLogger({ level: 'debug', destination: pino.destination({ dest: join(dir, `${basename(testFile)}.log`), sync: true, append: true }) });
}

/** The session/registry `log` callback, over testLogger. */
export function testLogFn(testFile: string) {
  const logger = testLogger(testFile);
  return (event: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, event);
}
