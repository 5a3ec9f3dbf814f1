/**
 * The helper's WebSocket server: loopback only, refuses any upgrade that is not from a browser
 * extension to a loopback Host, then hands each socket to a Connection. Owns the fan-out: every
 * MailService event is encoded once and sent to every authenticated client.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_FRAME_BYTES, type ServerMessage } from '../../protocol';
import type { MailService, MailServiceEvents } from '../accounts/mail-service';
import { Connection, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection';
import { encodeServerMessage } from './frames';
import { closeServer, listenLoopback } from './listen';
import type { PairingCodes } from './pairing';
import { RefusalLog, type RefusalLogOptions } from './refusal-log';
import type { TokenStore } from './tokens';
import { checkUpgrade } from './upgrade-check';

export { PortInUseError } from './listen';

export interface HelperServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Loopback addresses only; ::1 is skipped on machines without IPv6. */
  hosts?: readonly string[];
  mail: MailService;
  tokens: TokenStore;
  pairing: PairingCodes;
  logger: Logger;
  helperVersion: string;
  now?: () => number;
  authTimeoutMs?: number;
  /** A client with more than this waiting to be sent has stopped reading and is dropped. */
  maxBufferedBytes?: number;
  /** Per-connection budgets (tests lower them). */
  limits?: Partial<ConnectionLimits>;
  /** Connections waiting to authenticate at once; a new one closes the oldest of them. */
  maxUnauthenticated?: number;
  refusalLog?: RefusalLogOptions;
  /** How often tokens.json is checked for tokens revoked by another process. */
  tokenWatchMs?: number;
}

export interface HelperServer {
  /** The bound port (the chosen one when `port` was 0). */
  port: number;
  /** Closes every connection (1001), stops listening, and detaches from the MailService. */
  close(): Promise<void>;
  /** Authenticated clients, the ones that receive events. */
  clients(): number;
}

const DEFAULT_HOSTS = ['127.0.0.1', '::1'];
/**
 * Each unauthenticated connection may hold up to its pre-auth byte budget in ws's buffers, so
 * this times that budget bounds their memory together (64 × 32 KiB = 2 MiB).
 */
const MAX_UNAUTHENTICATED = 64;
/** Above the protocol cap so an oversized frame still gets a `too-large` reply; beyond this ws closes with 1009. */
const MAX_PAYLOAD = 4 * MAX_CLIENT_FRAME_BYTES;
/** How long close() waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/** Header values come from anyone: keep them short in the log. */
function clip(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, 200);
}

function refuseUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

export async function startHelperServer(options: HelperServerOptions): Promise<HelperServer> {
  const { mail, tokens, logger } = options;
  const now = options.now ?? Date.now;
  const all = new Set<Connection>();
  const authenticated = new Set<Connection>();
  /** In the order they came: the first is the one to close when a new one needs room. */
  const unauthenticated = new Set<Connection>();
  const refusals = new RefusalLog(logger, { now, ...options.refusalLog });
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const maxUnauthenticated = options.maxUnauthenticated ?? MAX_UNAUTHENTICATED;
  let nextConnectionId = 1;
  let port = options.port;
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = request.headers.origin;
    const host = request.headers.host;
    const verdict = closing ? ({ ok: false, reason: 'helper stopping' } as const) : checkUpgrade({ origin, host, port });
    if (!verdict.ok) {
      refusals.note(`upgrade: ${verdict.reason}`, 'connection refused', { reason: verdict.reason, origin: clip(origin), host: clip(host) });
      refuseUpgrade(socket);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connectionId = nextConnectionId++;
      // Not logged one by one: anyone can open connections; `authenticated` names the ones that count.
      logger.debug({ connection: connectionId, origin: clip(origin) }, 'connection accepted');
      if (unauthenticated.size >= maxUnauthenticated) {
        const [oldest] = unauthenticated;
        unauthenticated.delete(oldest);
        oldest.evict();
      }
      const connection = new Connection(
        ws,
        socket,
        origin ?? '',
        {
          mail,
          tokens,
          pairing: options.pairing,
          logger,
          refusals,
          now,
          helperVersion: options.helperVersion,
          authTimeoutMs: options.authTimeoutMs ?? 5000,
          maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
          limits,
          onAuthenticated: (c) => {
            unauthenticated.delete(c);
            authenticated.add(c);
          },
          onClosed: (c) => {
            all.delete(c);
            unauthenticated.delete(c);
            authenticated.delete(c);
          },
        },
        connectionId,
      );
      all.add(connection);
      unauthenticated.add(connection);
    });
  };

  const createHttpServer = (): Server => {
    // Plain HTTP gets nothing: no body, no CORS headers, so a page's fetch() learns nothing.
    const server = createServer((_request, response) => {
      response.writeHead(426, { Connection: 'close', 'Content-Length': '0' }).end();
    });
    server.on('upgrade', onUpgrade);
    return server;
  };

  const bound = await listenLoopback({ port: options.port, hosts: options.hosts ?? DEFAULT_HOSTS, createServer: createHttpServer, logger });
  port = bound.port;
  logger.info({ port, addresses: bound.servers.map((s) => s.address()) }, 'helper listening');

  const broadcast = (message: ServerMessage) => {
    const encoded = encodeServerMessage(message);
    if (!encoded.ok) {
      logger.error({ problem: encoded.problem }, 'event not sent');
      return;
    }
    for (const connection of authenticated) connection.sendFrame(encoded.frame);
  };
  const listeners: MailServiceEvents = {
    snapshot: ({ account, previews }) => broadcast({ type: 'snapshot', account, previews }),
    delta: (delta) => broadcast({ type: 'delta', ...delta }),
    account: (account) => broadcast({ type: 'account', account }),
    'account-removed': (accountId) => broadcast({ type: 'account-removed', accountId }),
  };
  mail.on('snapshot', listeners.snapshot);
  mail.on('delta', listeners.delta);
  mail.on('account', listeners.account);
  mail.on('account-removed', listeners['account-removed']);

  const stopListeningForRevocations = tokens.onRevoked((ids) => {
    for (const connection of all) {
      if (connection.tokenId !== undefined && ids.includes(connection.tokenId)) connection.revoked();
    }
  });
  // `helper tokens revoke` runs in another process: the file changing is how the helper hears of it.
  const stopWatchingTokenFile = tokens.watchFile(options.tokenWatchMs);

  return {
    port,
    clients: () => authenticated.size,
    async close() {
      closing = true;
      mail.off('snapshot', listeners.snapshot);
      mail.off('delta', listeners.delta);
      mail.off('account', listeners.account);
      mail.off('account-removed', listeners['account-removed']);
      stopListeningForRevocations();
      stopWatchingTokenFile();
      refusals.flush();
      const open = [...all];
      for (const connection of open) connection.close();
      let grace: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([Promise.all(open.map((c) => c.closed())), graceOver]);
      clearTimeout(grace);
      for (const connection of open) connection.terminate();
      await Promise.all(bound.servers.map(closeServer));
    },
  };
}
