/**
 * Local clients that are not the paired extension: web pages (their browser sets Origin to the
 * page), DNS rebinding (Host is the attacker's name), local processes that fake an extension
 * Origin and then send garbage, raw TCP and plain HTTP. Each attack reports what it got back.
 */
import net from 'node:net';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../protocol';

export const EXTENSION_ORIGIN = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`;
/** Anything longer means the helper kept a hostile connection open without end. */
const ATTACK_MS = 10_000;

export type AttackKind = 'web-origin' | 'no-origin' | 'rebinding-host' | 'garbage-frames' | 'wrong-token' | 'wrong-pairing-code' | 'silent' | 'raw-tcp' | 'plain-http';

export interface AttackOutcome {
  kind: AttackKind;
  /** HTTP status of a refused upgrade or a plain request; 101 when the upgrade was accepted. */
  status: number;
  /** Types of the WebSocket frames received, in order. */
  frames: string[];
  /** Raw bytes received outside WebSocket frames (raw TCP and plain HTTP). */
  raw: string;
  /** Whether the helper closed the connection (not us, not the time limit). */
  closedByHelper: boolean;
}

const WEB_ORIGINS = ['https://evil.example', 'http://127.0.0.1:8080', 'null', 'file://', 'chrome-extension://short', 'moz-extension://not-a-uuid'];

/** The frames a local process can send after faking an extension Origin. */
function garbage(random: () => number): (string | Buffer)[] {
  const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256)));
  return [
    bytes.toString('latin1'),
    bytes,
    '{"type":"get-body","id":"x","accountId":"chaos","key":{"mailbox":"INBOX","uidValidity":1,"uid":1},"markSeen":false}',
    '{"type":"mark-all-read","id":"y","accountId":"chaos"}',
    `{"type":"ping","id":"${'z'.repeat(100_000)}"}`,
    '{"type":',
    JSON.stringify({ type: 'snapshot', account: {}, previews: [] }),
  ];
}

export async function attack(kind: AttackKind, port: number, random: () => number): Promise<AttackOutcome> {
  if (kind === 'raw-tcp') return rawExchange(kind, port, Buffer.from(Array.from({ length: 256 }, () => Math.floor(random() * 256))));
  if (kind === 'plain-http') return rawExchange(kind, port, Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: https://evil.example\r\n\r\n`));
  const host = kind === 'rebinding-host' ? `attacker.example:${port}` : `127.0.0.1:${port}`;
  const origin = kind === 'web-origin' ? WEB_ORIGINS[Math.floor(random() * WEB_ORIGINS.length)] : kind === 'no-origin' ? undefined : EXTENSION_ORIGIN;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Host: host, ...(origin ? { Origin: origin } : {}) } });
  const outcome: AttackOutcome = { kind, status: 0, frames: [], raw: '', closedByHelper: false };
  ws.on('message', (data, isBinary) => {
    try {
      outcome.frames.push(isBinary ? 'binary' : String((JSON.parse(data.toString()) as { type?: unknown }).type));
    } catch {
      outcome.frames.push('unparseable');
    }
  });
  ws.on('error', () => undefined);
  let weClosed = false;
  const leave = () => {
    weClosed = true;
    ws.terminate();
  };
  let limit: NodeJS.Timeout | undefined;
  await new Promise<void>((done) => {
    limit = setTimeout(() => {
      leave();
      done();
    }, ATTACK_MS);
    ws.once('unexpected-response', (request, response) => {
      outcome.status = response.statusCode ?? 0;
      response.on('data', (chunk: Buffer) => (outcome.raw += chunk.toString('latin1')));
      response.once('end', () => {
        outcome.closedByHelper = true;
        request.destroy();
        done();
      });
    });
    ws.once('close', () => {
      outcome.closedByHelper = !weClosed;
      done();
    });
    ws.once('open', () => {
      outcome.status = 101;
      // 'silent' sends nothing: the helper's auth deadline must close it.
      if (kind === 'wrong-token') ws.send(JSON.stringify({ type: 'auth', id: 'a', protocol: PROTOCOL_VERSION, token: 'A'.repeat(43) }));
      else if (kind === 'wrong-pairing-code') ws.send(JSON.stringify({ type: 'pair', id: 'p', protocol: PROTOCOL_VERSION, code: 'ABCD-EFGH', clientName: 'evil' }));
      else if (kind === 'garbage-frames') {
        const frames = garbage(random);
        for (const frame of frames) ws.send(frame, { binary: Buffer.isBuffer(frame) });
        // hello and one reply per frame, then it leaves (unless the auth deadline closed it first).
        ws.on('message', () => outcome.frames.length > frames.length && leave());
      }
    });
  });
  clearTimeout(limit);
  return outcome;
}

function rawExchange(kind: AttackKind, port: number, bytes: Buffer): Promise<AttackOutcome> {
  return new Promise((done) => {
    const outcome: AttackOutcome = { kind, status: 0, frames: [], raw: '', closedByHelper: false };
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    const limit = setTimeout(() => socket.destroy(), ATTACK_MS);
    socket.on('data', (chunk) => (outcome.raw += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('end', () => (outcome.closedByHelper = true));
    socket.once('close', () => {
      clearTimeout(limit);
      outcome.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(outcome.raw)?.[1] ?? 0);
      done(outcome);
    });
  });
}
