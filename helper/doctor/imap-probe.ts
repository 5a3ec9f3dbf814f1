/**
 * Can this computer reach an IMAP server? One TCP connection (and TLS handshake, when the account
 * uses TLS), the server's greeting line read, then closed. Nothing is ever sent: no command, no
 * login, so the check can never count against an account.
 */
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface ImapTarget {
  host: string;
  port: number;
  tls: boolean;
}

export type ImapProbeProblem = 'refused' | 'not-found' | 'unreachable' | 'timeout' | 'tls' | 'closed' | 'bye' | 'not-imap' | 'other';

export type ImapProbeResult = { ok: true; greeting: string; ms: number } | { ok: false; problem: ImapProbeProblem; message: string };

export interface ImapProbeOptions {
  timeoutMs?: number;
  /** Extra TLS settings; tests pass their own CA. Certificates are always verified. */
  tls?: Pick<ConnectionOptions, 'ca'>;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A greeting is one short line; more than this without a line end is not IMAP. */
const MAX_GREETING_BYTES = 4096;

function problemOf(err: NodeJS.ErrnoException): ImapProbeProblem {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'not-found';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return 'unreachable';
    case 'ECONNRESET':
      return 'closed';
  }
  return /SSL|TLS|CERT|self[- ]signed|certificate/i.test(`${err.code ?? ''} ${err.message}`) ? 'tls' : 'other';
}

export function probeImap(target: ImapTarget, options: ImapProbeOptions = {}): Promise<ImapProbeResult> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = now();
  return new Promise((resolve) => {
    const socket: Socket = target.tls
      ? tlsConnect({
          host: target.host,
          port: target.port,
          // SNI takes names only; an IP address as servername is refused by Node.
          ...(isIP(target.host) ? {} : { servername: target.host }),
          ...options.tls,
        })
      : tcpConnect({ host: target.host, port: target.port });
    let received = Buffer.alloc(0);
    let done = false;
    // The first outcome wins; the error and close events that follow the destroy are ignored.
    const finish = (result: ImapProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, problem: 'timeout', message: `no answer within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, problem: problemOf(err), message: err.message }));
    socket.on('close', () => finish({ ok: false, problem: 'closed', message: 'the server closed the connection before its greeting' }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end < 0) {
        if (received.length > MAX_GREETING_BYTES) finish({ ok: false, problem: 'not-imap', message: 'a long answer without a line end' });
        return;
      }
      const line = received.subarray(0, end).toString('latin1').replace(/\r$/, '');
      if (/^\* (OK|PREAUTH)\b/i.test(line)) finish({ ok: true, greeting: line, ms: now() - started });
      else if (/^\* BYE\b/i.test(line)) finish({ ok: false, problem: 'bye', message: line });
      else finish({ ok: false, problem: 'not-imap', message: line });
    });
  });
}
