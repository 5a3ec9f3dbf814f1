import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeImap } from '../../helper/doctor/imap-probe';
import { greetingServer, refusedPort, TEST_CA, type GreetingServer } from './loopback-servers';

let server: GreetingServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('probeImap (one connection, greeting only, never a login)', () => {
  it('reads the greeting and closes without sending a single byte', async () => {
    server = await greetingServer('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\r\n');
    const result = await probeImap({ host: '127.0.0.1', port: server.port, tls: false });
    expect(result).toMatchObject({ ok: true, greeting: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.' });
    await server.closedConnections(1);
    expect(server.received().length).toBe(0);
  });

  it("verifies the server's certificate and reads the greeting after the handshake", async () => {
    server = await greetingServer('* OK IMAP4rev1 ready\r\n', { tls: true });
    const result = await probeImap({ host: '127.0.0.1', port: server.port, tls: true }, { tls: { ca: TEST_CA } });
    expect(result).toMatchObject({ ok: true, greeting: '* OK IMAP4rev1 ready' });
    await server.closedConnections(1);
    expect(server.received().length).toBe(0);
  });

  it('refuses a certificate this computer does not trust', async () => {
    server = await greetingServer('* OK ready\r\n', { tls: true });
    const result = await probeImap({ host: '127.0.0.1', port: server.port, tls: true });
    expect(result).toMatchObject({ ok: false, problem: 'tls' });
    expect(result.ok === false && result.message).toMatch(/self[- ]signed/i);
  });

  it('names a TLS account pointed at a plain IMAP port as a TLS problem', async () => {
    server = await greetingServer('* OK plain IMAP here\r\n');
    expect(await probeImap({ host: '127.0.0.1', port: server.port, tls: true })).toMatchObject({ ok: false, problem: 'tls' });
  });

  it('tells refused, BYE and not-IMAP apart', async () => {
    expect(await probeImap({ host: '127.0.0.1', port: await refusedPort(), tls: false })).toMatchObject({ ok: false, problem: 'refused' });
    server = await greetingServer('* BYE Too many connections\r\n');
    expect(await probeImap({ host: '127.0.0.1', port: server.port, tls: false })).toEqual({ ok: false, problem: 'bye', message: '* BYE Too many connections' });
    await server.close();
    server = await greetingServer('SSH-2.0-OpenSSH_9.6\r\n');
    expect(await probeImap({ host: '127.0.0.1', port: server.port, tls: false })).toEqual({ ok: false, problem: 'not-imap', message: 'SSH-2.0-OpenSSH_9.6' });
  });

  it('gives up after 10 s of silence by default', async () => {
    server = await greetingServer(null);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const probe = probeImap({ host: '127.0.0.1', port: server.port, tls: false });
    let settled = false;
    void probe.then(() => (settled = true));
    await server.connected();
    vi.advanceTimersByTime(9_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await probe).toEqual({ ok: false, problem: 'timeout', message: 'no answer within 10 s' });
    expect(server.received().length).toBe(0);
  });
});
