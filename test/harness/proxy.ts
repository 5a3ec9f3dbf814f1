/**
 * A TCP proxy on 127.0.0.1 between a client and Dovecot, to count traffic and to break the link
 * the ways real networks do: cut it (dropAll), freeze it without a FIN (stall), refuse reconnects.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { nextEvent } from './wait';

export interface ProxyOptions {
  targetHost: string;
  targetPort: number;
}

const NEXT_CONNECTION_TIMEOUT_MS = 5_000;

export async function startProxy(opts: ProxyOptions): Promise<TcpProxy> {
  const proxy = new TcpProxy(opts);
  await proxy.listening;
  return proxy;
}

/** One client connection and its connection to the target. */
interface Link {
  client: net.Socket;
  server: net.Socket;
  /** Re-applies pause/resume from the stall state and backpressure. */
  refreshFlow(): void;
}

export class TcpProxy {
  readonly host = '127.0.0.1';
  readonly listening: Promise<void>;
  private readonly listener: net.Server;
  private readonly links = new Set<Link>();
  private readonly events = new EventEmitter();
  private counters = { connectionsTotal: 0, bytesServerToClient: 0, bytesClientToServer: 0 };
  private stalled = false;
  /** Only the server's answers are held: the client's commands still reach the server. */
  private repliesHeld = false;
  private refusing = false;

  constructor(private readonly target: ProxyOptions) {
    this.listener = net.createServer((socket) => this.accept(socket));
    this.listening = new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(0, this.host, () => resolve());
    });
  }

  get port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  /** Accepted connections since start or resetCounters(), refused ones included. */
  get connectionsTotal(): number {
    return this.counters.connectionsTotal;
  }

  /** Forwarded bytes (stalled bytes count once they pass). */
  get bytesServerToClient(): number {
    return this.counters.bytesServerToClient;
  }

  get bytesClientToServer(): number {
    return this.counters.bytesClientToServer;
  }

  /** Client connections currently open (a gauge: resetCounters() leaves it alone). */
  get connectionsOpen(): number {
    return this.links.size;
  }

  resetCounters(): void {
    this.counters = { connectionsTotal: 0, bytesServerToClient: 0, bytesClientToServer: 0 };
  }

  /** Destroys both sides of every connection, like a broken link. */
  dropAll(): void {
    for (const { client, server } of this.links) {
      client.destroy();
      server.destroy();
    }
  }

  /**
   * A half-dead link: connections stay open but nothing passes in either direction and no FIN
   * is sent. Nothing is lost either: like TCP after an outage, held bytes flow on resume().
   */
  stall(): void {
    this.stalled = true;
    for (const link of this.links) link.refreshFlow();
  }

  resume(): void {
    this.stalled = false;
    this.repliesHeld = false;
    for (const link of this.links) link.refreshFlow();
  }

  /** A link that dies one way: what the client sends reaches the server, no answer comes back (until resume()). */
  holdReplies(): void {
    this.repliesHeld = true;
    for (const link of this.links) link.refreshFlow();
  }

  /**
   * Calls `listener` with each chunk a client sends, before it is forwarded (to act at the
   * moment a command goes out); returns a function that removes it. Chunks may hold a password:
   * match them, never log them.
   */
  onClientData(listener: (chunk: Buffer) => void): () => void {
    this.events.on('client-data', listener);
    return () => this.events.off('client-data', listener);
  }

  /** While true, new connections are accepted and at once destroyed. */
  refuseNew(refuse: boolean): void {
    this.refusing = refuse;
  }

  /** Resolves on the next accepted connection (refused ones too). Call it before causing the connection. */
  async nextConnection(timeoutMs = NEXT_CONNECTION_TIMEOUT_MS): Promise<void> {
    await nextEvent(this.events, 'connection', timeoutMs);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    this.dropAll();
    await closed;
  }

  private accept(client: net.Socket): void {
    this.counters.connectionsTotal++;
    this.events.emit('connection');
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = net.connect({ host: this.target.targetHost, port: this.target.targetPort });
    client.on('data', (chunk: Buffer) => this.events.emit('client-data', chunk));
    const toServer = pipe(client, server, (bytes) => { this.counters.bytesClientToServer += bytes; });
    const toClient = pipe(server, client, (bytes) => { this.counters.bytesServerToClient += bytes; });
    const link: Link = {
      client,
      server,
      refreshFlow: () => {
        toServer.refresh(this.stalled);
        toClient.refresh(this.stalled || this.repliesHeld);
      },
    };
    this.links.add(link);
    link.refreshFlow();
    client.once('close', () => this.links.delete(link));
  }
}

/**
 * Forwards `from` to `to`, counting bytes and honouring backpressure. An end or close of
 * `from` ends `to` after its pending writes, so a server's last words (BYE) still arrive.
 */
function pipe(from: net.Socket, to: net.Socket, count: (bytes: number) => void): { refresh(stalled: boolean): void } {
  let awaitingDrain = false;
  let stalled = false;
  const refresh = (nowStalled: boolean): void => {
    stalled = nowStalled;
    if (stalled || awaitingDrain) from.pause();
    else from.resume();
  };
  from.on('data', (chunk: Buffer) => {
    count(chunk.length);
    if (!to.write(chunk)) {
      awaitingDrain = true;
      refresh(stalled);
      to.once('drain', () => {
        awaitingDrain = false;
        refresh(stalled);
      });
    }
  });
  // Errors (a reset, the target down) end up as a close; the listener keeps them from being uncaught.
  from.on('error', () => undefined);
  from.once('close', () => to.end());
  return { refresh };
}
