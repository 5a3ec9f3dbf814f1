/**
 * TLS in front of the test Dovecot, so the helper's IMAP connection is encrypted as it is to
 * iCloud (port 993): the idle figure then includes what TLS costs the helper (OpenSSL's state and
 * the certificate store, about 0.6 MiB). The certificate is made here for 127.0.0.1 with the
 * openssl command; the helper trusts it through Node's NODE_EXTRA_CA_CERTS, as it would trust a
 * public CA's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { promisify } from 'node:util';

export interface TlsFront {
  host: '127.0.0.1';
  port: number;
  /** The certificate file to give the helper as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

export async function startTlsFront(target: { host: string; port: number }): Promise<TlsFront> {
  const dir = await mkdtemp(join(tmpdir(), 'mn-bench-tls-'));
  const [keyFile, caFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile,
  ], { timeout: 30_000 });
  const sockets = new Set<Socket>();
  const server = createServer({ key: await readFile(keyFile), cert: await readFile(caFile) }, (client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    caFile,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
