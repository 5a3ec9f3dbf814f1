/**
 * Binds the helper's HTTP servers to loopback addresses only, all on one port: 127.0.0.1 and,
 * where the machine has IPv6, ::1 (browsers may resolve `localhost` to either).
 */
import type { Server } from 'node:http';
import { isIPv4, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export class PortInUseError extends Error {
  readonly code = 'port-in-use';

  constructor(readonly port: number) {
    super(`port ${port} is in use: is another helper running? \`helper status\`, or start with --port`);
    this.name = 'PortInUseError';
  }
}

/** With port 0 the system picks a port on the first address; it may be taken on the next one. */
const ATTEMPTS_FOR_ANY_PORT = 5;

export function isLoopbackAddress(host: string): boolean {
  return host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

function errnoCode(err: unknown): string | undefined {
  return (err as { code?: unknown } | null)?.code as string | undefined;
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, ipv6Only: host === '::1', exclusive: true });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function bindAll(hosts: readonly string[], requestedPort: number, createServer: () => Server, logger: Logger): Promise<{ port: number; servers: Server[] }> {
  const servers: Server[] = [];
  let port = requestedPort;
  try {
    for (const host of hosts) {
      const server = createServer();
      try {
        port = await listenOn(server, host, port);
        servers.push(server);
      } catch (err) {
        const code = errnoCode(err);
        if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
          logger.info({ host, errno: code }, 'no IPv6 loopback on this machine; listening on IPv4 only');
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
  if (servers.length === 0) throw new Error(`Could not listen on any of ${hosts.join(', ')}.`);
  return { port, servers };
}

export async function listenLoopback(options: {
  port: number;
  hosts: readonly string[];
  createServer: () => Server;
  logger: Logger;
}): Promise<{ port: number; servers: Server[] }> {
  const outside = options.hosts.filter((host) => !isLoopbackAddress(host));
  if (outside.length > 0 || options.hosts.length === 0) {
    throw new Error(`The helper listens on loopback addresses only, not on ${outside.join(', ') || 'nothing'}.`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await bindAll(options.hosts, options.port, options.createServer, options.logger);
    } catch (err) {
      if (errnoCode(err) !== 'EADDRINUSE') throw err;
      if (options.port !== 0) throw new PortInUseError(options.port);
      if (attempt >= ATTEMPTS_FOR_ANY_PORT) throw err;
    }
  }
}
