/**
 * Just enough helper for the extension's own end-to-end tests (ws + the shared protocol, with the
 * helper's Origin check): hello, pair with one code, auth with the token it gave, one snapshot per
 * account, ping, get-body from the bodies it was given, and an empty answer to anything else.
 * Every frame the extension sends is checked with the real protocol schemas.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_VERSION, messageKeyString, parseClientMessage, type AccountStatus, type Body, type Preview, type ServerMessage } from '../../protocol';

const EXTENSION_ORIGIN = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36})$/;

export interface FakeHelperOptions {
  code: string;
  token: string;
  accounts: { status: AccountStatus; previews: Preview[] }[];
  /** Bodies by message key string (messageKeyString); a message without one gets `fallbackBody`. */
  bodies?: Map<string, Body>;
  fallbackBody?: (preview: Preview) => Body;
}

export type FakeHelper = Awaited<ReturnType<typeof startFakeHelper>>;

export async function startFakeHelper(options: FakeHelperOptions) {
  const origins: string[] = [];
  const invalid: string[] = [];
  let refused = 0;
  const clients = new Set<WebSocket>();
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: ({ origin }: { origin?: string }) => {
      if (origin && EXTENSION_ORIGIN.test(origin)) return origins.push(origin) > 0;
      refused++;
      return false;
    },
  });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const send = (ws: WebSocket, message: ServerMessage) => ws.send(JSON.stringify(message));
  const previews = new Map(options.accounts.flatMap((a) => a.previews.map((p) => [messageKeyString(p.key), p] as const)));
  server.on('connection', (ws) => {
    let authed = false;
    send(ws, { type: 'hello', protocol: PROTOCOL_VERSION, helperVersion: 'fake-0.0.1' });
    ws.on('message', (raw) => {
      const parsed = parseClientMessage(raw.toString());
      if (!parsed.ok) {
        invalid.push(parsed.error.message);
        return send(ws, parsed.error);
      }
      const m = parsed.message;
      const result = (data: unknown) => send(ws, { type: 'result', id: m.id, data });
      const welcome = (data: unknown) => {
        authed = true;
        clients.add(ws);
        result(data);
        for (const account of options.accounts) send(ws, { type: 'snapshot', account: account.status, previews: account.previews });
      };
      if (m.type === 'pair') return m.code === options.code ? welcome({ token: options.token }) : send(ws, { type: 'error', id: m.id, code: 'bad-pairing-code', message: 'Wrong pairing code.' });
      if (m.type === 'auth') return m.token === options.token ? welcome({}) : (send(ws, { type: 'error', id: m.id, code: 'bad-token', message: 'Unknown token.' }), ws.close());
      if (!authed) return send(ws, { type: 'error', id: m.id, code: 'unauthenticated', message: 'Send auth or pair first.' });
      if (m.type === 'ping') return result({ at: Date.now() });
      if (m.type === 'get-body') {
        const key = messageKeyString(m.key);
        const body = options.bodies?.get(key) ?? (previews.has(key) ? options.fallbackBody?.(previews.get(key)!) : undefined);
        return body ? result(body) : send(ws, { type: 'error', id: m.id, code: 'not-found', message: 'No such message.' });
      }
      if (m.type === 'get-login-log') return result({ entries: [] });
      return result({});
    });
    ws.on('close', () => clients.delete(ws));
  });
  return {
    port: (server.address() as AddressInfo).port,
    origins,
    /** Frames from the extension that the protocol refused (none, in a passing test). */
    invalid,
    refused: () => refused,
    broadcast: (message: ServerMessage) => clients.forEach((ws) => send(ws, message)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
