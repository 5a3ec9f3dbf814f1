/**
 * The helper's logger. Redaction is by key name at any depth we log (pino cannot match keys
 * recursively, so the paths are spelled out per level), and errors go through safeError so an
 * imapflow error, client or options object (`options.auth.pass`) is never serialized.
 */
import { ImapFlowErrorCode } from 'imapflow';
import { getSystemErrorMap } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';

/** Keys whose values never reach a log line. `code` is here for pairing codes. */
const SECRET_KEYS = ['pass', 'password', 'token', 'accessToken', 'secret', 'authorization', 'code'];
/** How deep below the top level a secret key is still found. */
const REDACT_DEPTH = 6;
const ERROR_KEYS = ['err', 'error'];
/**
 * `code` is both a secret (pairing codes) and the most useful field of an error. pino's censor
 * cannot see which object a wildcard matched, so it keeps a `code` value only when it is one of
 * these fixed identifiers, which no secret can be equal to.
 */
const KNOWN_ERROR_CODES = new Set<string>([
  ...[...getSystemErrorMap().values()].map(([name]) => name),
  ...Object.values(ImapFlowErrorCode),
  'ENOTFOUND', // DNS, not a system errno
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
/** Node's own codes (ERR_TLS_CERT_ALTNAME_INVALID) and imapflow's numbered parser errors. */
const ERROR_CODE_PATTERN = /^(ERR_[A-Z0-9_]+|ParserError\d+)$/;
const CENSOR = '[Redacted]';

function redactPaths(): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
    for (const key of SECRET_KEYS) paths.push(`${'*.'.repeat(depth)}${key}`);
  }
  return paths;
}

export interface SafeError {
  message: string;
  code?: string;
  serverResponseCode?: string;
}

/** The three fields of an error worth logging, and nothing else the object may hold. */
export function safeError(err: unknown): SafeError {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const { message, code, serverResponseCode } = err as Record<string, unknown>;
  return {
    message: typeof message === 'string' ? message : 'Unknown error',
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof serverResponseCode === 'string' ? { serverResponseCode } : {}),
  };
}

function isErrorCode(value: unknown): boolean {
  return typeof value === 'string' && (KNOWN_ERROR_CODES.has(value) || ERROR_CODE_PATTERN.test(value));
}

function censor(value: unknown, path: string[]): unknown {
  return path.at(-1) === 'code' && isErrorCode(value) ? value : CENSOR;
}

export interface LoggerOptions {
  /** Where lines go; stderr by default, as stdout may carry a protocol. */
  destination?: DestinationStream;
  level?: pino.LevelWithSilent;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactPaths(), censor },
      serializers: Object.fromEntries(ERROR_KEYS.map((key) => [key, safeError])),
    },
    options.destination ?? pino.destination(2),
  );
}
