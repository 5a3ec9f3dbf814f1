/**
 * Scenario 9: hostile local clients. The real account registry (on a real Dovecot) behind the
 * real WebSocket server, one paired extension client, and a storm of connection attempts from web
 * pages, DNS rebinding, local processes faking an extension Origin and sending garbage, raw TCP and
 * plain HTTP, while mail keeps arriving. The real client must keep getting every message within
 * the stated bound; no hostile client may get anything but the refusal, `hello` and errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type ServerMessage } from '../../../protocol';
import { AccountRegistry } from '../../../helper/accounts/registry';
import { PairingCodes } from '../../../helper/server/pairing';
import { startHelperServer } from '../../../helper/server/socket-server';
import { TokenStore } from '../../../helper/server/tokens';
import { openSecretStore } from '../../../helper/store/secrets';
import { HELPER_VERSION } from '../../../helper/version';
import { recordSecret, testLogFn, testLogger } from '../../harness/test-log';
import { withTimeout } from '../../harness/wait';
import { attack, EXTENSION_ORIGIN, type AttackKind, type AttackOutcome } from '../attacks';
import { prng } from '../prng';
import { check, mailChecks, median, tally, type ScenarioResult } from '../report';
import { startWorld } from '../world';

export interface HostileClientsParams {
  seed: number;
  attempts: number;
  concurrency: number;
}

export const HOSTILE_CLIENTS = {
  short: { seed: 9, attempts: 1_000, concurrency: 25 },
  full: { seed: 9, attempts: 10_000, concurrency: 50 },
} satisfies Record<string, HostileClientsParams>;

/** The stated bound: APPEND done → delta at the paired client (Dovecot alone holds IDLE news 0.5 s). */
export const PUSH_BOUND_MS = 2_000;
const AUTH_TIMEOUT_MS = 1_000;
const BASELINE_MESSAGES = 5;
const MIX: [AttackKind, number][] = [
  ['web-origin', 30], ['no-origin', 8], ['rebinding-host', 10], ['garbage-frames', 20], ['wrong-token', 10],
  ['wrong-pairing-code', 5], ['silent', 2], ['raw-tcp', 10], ['plain-http', 5],
];
const REFUSED_AT_UPGRADE: ReadonlySet<AttackKind> = new Set(['web-origin', 'no-origin', 'rebinding-host']);

/** The paired extension: authenticated, counting every frame. */
class PairedClient {
  readonly frames: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.waiters) wake();
    });
  }

  static async connect(port: number, token: string): Promise<PairedClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Origin: EXTENSION_ORIGIN } });
    const client = new PairedClient(ws);
    await withTimeout(new Promise((done, fail) => ws.once('open', done).once('error', fail)), 5_000, 'the paired client to connect');
    ws.send(JSON.stringify({ type: 'auth', id: 'auth', protocol: PROTOCOL_VERSION, token }));
    await client.until(() => client.frames.some((f) => f.type === 'snapshot'), 'the first snapshot', 5_000);
    return client;
  }

  notified(): number[] {
    return this.frames.flatMap((f) => (f.type === 'delta' ? f.notify.map((k) => k.uid) : []));
  }

  until(condition: () => boolean, what: string, ms: number): Promise<void> {
    if (condition()) return Promise.resolve();
    let wake = () => undefined as void;
    return withTimeout(new Promise<void>((done) => {
      wake = () => condition() && done();
      this.waiters.add(wake);
    }), ms, what).finally(() => this.waiters.delete(wake));
  }
}

function plan(p: HostileClientsParams): { kind: AttackKind; seed: number }[] {
  const random = prng(p.seed);
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  return Array.from({ length: p.attempts }, (_, i) => {
    let draw = random() * total;
    const kind = MIX.find(([, weight]) => (draw -= weight) < 0)?.[0] ?? 'web-origin';
    return { kind, seed: p.seed * 100_003 + i };
  });
}

/** What a hostile client received that it must not have: anything but a refusal, hello and errors. */
function leak(o: AttackOutcome): string | null {
  const frames = o.frames.filter((type) => type !== 'hello' && type !== 'error');
  if (frames.length > 0) return `${o.kind} got ${frames.join(', ')}`;
  if (REFUSED_AT_UPGRADE.has(o.kind) && (o.status !== 403 || o.frames.length > 0)) return `${o.kind}: HTTP ${o.status}, ${o.frames.length} frames`;
  if ((o.kind === 'raw-tcp' || o.kind === 'plain-http') && /[{"]/.test(o.raw.split('\r\n\r\n').slice(1).join(''))) return `${o.kind} got a body: ${o.raw.slice(0, 80)}`;
  if ((o.kind === 'silent' || o.kind === 'wrong-token') && !o.closedByHelper) return `${o.kind} was not closed by the helper`;
  return null;
}

export async function hostileClients(p: HostileClientsParams, testFile: string): Promise<ScenarioResult> {
  const realStart = Date.now();
  const world = await startWorld();
  const dir = await mkdtemp(join(tmpdir(), 'mn-chaos-clients-'));
  const secrets = await openSecretStore({ configDir: join(dir, 'config'), prefer: 'file' });
  const registry = await AccountRegistry.open({ configDir: join(dir, 'config'), stateDir: join(dir, 'state'), secrets, log: testLogFn(testFile) });
  const tokens = new TokenStore({ file: join(dir, 'tokens.json') });
  const server = await startHelperServer({
    port: 0, hosts: ['127.0.0.1'], mail: registry, tokens, pairing: new PairingCodes({ file: join(dir, 'pairing.json') }),
    logger: testLogger(`${testFile}-server`), helperVersion: HELPER_VERSION, authTimeoutMs: AUTH_TIMEOUT_MS,
  });
  let client: PairedClient | undefined;
  try {
    await registry.addAccount({ kind: 'imap', host: world.proxy.host, port: world.proxy.port, tls: false, username: world.user, password: world.pass });
    const { token } = await tokens.issue('the paired extension');
    recordSecret(token);
    const paired = (client = await PairedClient.connect(server.port, token));
    const appended: number[] = [];
    const deliver = async (latencies: number[]) => {
      const uid = await world.deliver(appended.length + 1);
      appended.push(uid);
      const sent = Date.now();
      await paired.until(() => paired.notified().includes(uid), `message ${uid} at the paired client`, 5 * PUSH_BOUND_MS);
      latencies.push(Date.now() - sent);
    };
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_MESSAGES; i++) await deliver(baseline);

    // The storm, with mail arriving all along (each message right after the previous one arrived).
    const during: number[] = [];
    const outcomes: AttackOutcome[] = [];
    const attempts = plan(p);
    let next = 0;
    let stormOver = false;
    const mail = (async () => {
      for (let i = 0; i < p.attempts && !stormOver; i++) await deliver(during);
    })();
    const stormStart = Date.now();
    await Promise.all(Array.from({ length: p.concurrency }, async () => {
      while (next < attempts.length) {
        const { kind, seed } = attempts[next++];
        outcomes.push(await attack(kind, server.port, prng(seed)));
      }
    }));
    const stormMs = Date.now() - stormStart;
    stormOver = true;
    await mail;

    const t = tally(appended, paired.notified());
    const leaks = outcomes.map(leak).filter((l): l is string => l !== null);
    const byKind = new Map<AttackKind, number>();
    for (const o of outcomes) byKind.set(o.kind, (byKind.get(o.kind) ?? 0) + 1);
    const refused = outcomes.filter((o) => o.status === 403).length;
    const stillOpen = paired.ws.readyState === WebSocket.OPEN;
    const tokensLeft = (await tokens.list()).length;
    return {
      title: 'Hostile local clients while mail arrives',
      injected: `${outcomes.length} hostile connection attempts in ${(stormMs / 1000).toFixed(1)} s real, ${p.concurrency} at a time (seed ${p.seed}): `
        + `${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')}; meanwhile another device delivered ${during.length} messages, each as soon as the previous one reached the paired client.`,
      figures: [
        ['messages appended', t.appended],
        ['messages reported at the paired client (distinct)', t.reported],
        ['duplicates', t.duplicates],
        ['upgrades refused with 403', refused],
        ['error replies to hostile frames', outcomes.reduce((sum, o) => sum + o.frames.filter((f) => f === 'error').length, 0)],
        ['silent or wrong-token connections closed by the helper', `${outcomes.filter((o) => (o.kind === 'silent' || o.kind === 'wrong-token') && o.closedByHelper).length}`
          + ` of ${outcomes.filter((o) => o.kind === 'silent' || o.kind === 'wrong-token').length}`],
        ['hostile clients that got mail data', leaks.length],
        ['paired client latency before the storm (real, median / max)', `${median(baseline)} ms / ${Math.max(...baseline)} ms`],
        ['paired client latency during the storm (real, median / max)', `${median(during)} ms / ${Math.max(0, ...during)} ms`],
        ['stated bound', `${PUSH_BOUND_MS} ms`],
        ['logins made (connections at the proxy)', world.proxy.connectionsTotal],
      ],
      checks: [
        ...mailChecks(t),
        check(`paired client latency within ${PUSH_BOUND_MS} ms during the storm`, during.length > 0 && Math.max(...during) <= PUSH_BOUND_MS,
          `${during.length} messages, max ${Math.max(0, ...during)} ms`),
        check('no hostile client got anything beyond the refusal, hello and errors', leaks.length === 0, leaks.slice(0, 5).join('; ') || `${outcomes.length} checked`),
        check('every web-page, no-Origin and rebinding attempt refused at the upgrade', outcomes.filter((o) => REFUSED_AT_UPGRADE.has(o.kind)).every((o) => o.status === 403),
          `${refused} refused with 403`),
        check('the paired client stayed connected', stillOpen, stillOpen ? 'open' : 'closed'),
        check('no token was issued to anyone else', tokensLeft === 1, `${tokensLeft} token(s)`),
        check('one IMAP login, untouched by the storm', world.proxy.connectionsTotal === 1, `${world.proxy.connectionsTotal} connection(s)`),
      ],
      realMs: Date.now() - realStart,
    };
  } finally {
    client?.ws.terminate();
    await server.close();
    await registry.close();
    await world.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
