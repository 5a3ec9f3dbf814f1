/** Servers on 127.0.0.1 for the doctor tests: they greet like IMAP and record every byte a client sends. */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export const TEST_CA = readFileSync(new URL('./fixtures/loopback-cert.pem', import.meta.url));
const TEST_KEY = readFileSync(new URL('./fixtures/loopback-key.pem', import.meta.url));

export interface GreetingServer {
  port: number;
  /** Everything clients sent, all connections together. */
  received(): Buffer;
  /** Resolves once the n-th client connection has closed. */
  closedConnections(n: number): Promise<void>;
  /** Resolves once a client is connected (after the handshake, for TLS). */
  connected(): Promise<void>;
  close(): Promise<void>;
}

export async function greetingServer(greeting: string | null, options: { tls?: boolean } = {}): Promise<GreetingServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  const closeWaiters: { n: number; resolve: () => void }[] = [];
  const connectWaiters: (() => void)[] = [];
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    connectWaiters.splice(0).forEach((resolve) => resolve());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      closed++;
      for (const waiter of closeWaiters.filter((w) => w.n <= closed)) waiter.resolve();
    });
    if (greeting !== null) socket.write(greeting);
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: TEST_CA, key: TEST_KEY }, onSocket).on('tlsClientError', () => undefined)
    : createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => Buffer.concat(chunks),
    closedConnections: (n) => new Promise((resolve) => (closed >= n ? resolve() : closeWaiters.push({ n, resolve }))),
    connected: () => new Promise((resolve) => (sockets.size > 0 ? resolve() : connectWaiters.push(resolve))),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: bound, then released. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
