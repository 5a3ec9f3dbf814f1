/**
 * One extension connection: hello, then auth or pair within a deadline, then requests. Until the
 * client is authenticated it gets nothing but hello and error replies; once it is, it gets its
 * snapshots and, through the server's fan-out, every event.
 *
 * Anyone on the machine can open one, so what an unauthenticated peer costs is bounded: a few
 * frames and a few KiB (counted on the TCP socket, so a big frame is cut off before ws has
 * buffered it; then nothing more is read from it), a few pairing attempts, one frame handled at
 * a time, and a pairing guess that is dropped from the queue when the peer goes. An authenticated client's
 * requests run a few at a time behind a bounded queue (more are answered `rate-limited`); the
 * queue is dropped when the client goes. The socket is never paused, so a close is seen at once.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import {
  MAX_CLIENT_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  versionMismatchMessage,
  type ClientMessage,
  type ClientRequest,
  type ServerMessage,
} from '../../protocol';
import type { MailService } from '../accounts/mail-service';
import { encodeServerMessage, errorReply } from './frames';
import type { PairingCodes } from './pairing';
import type { RefusalLog } from './refusal-log';
import { failureReply, handleRequest } from './request-handler';
import type { TokenInfo, TokenStore } from './tokens';

/** RFC 6455 "policy violation": every refusal after the upgrade. */
const CLOSE_POLICY = 1008;
const CLOSE_GOING_AWAY = 1001;
/** A refused peer that does not answer our close frame is cut off after this long. */
const REFUSED_CLOSE_MS = 1000;

export interface ConnectionLimits {
  /** Bytes a client may send before it is authenticated (a pair frame is a few hundred). */
  preAuthBytes: number;
  /** Frames before it is authenticated: auth or pair, and a few requests sent right behind auth. */
  preAuthFrames: number;
  /** Pairing attempts on one connection (the extension makes one, on a fresh connection each time). */
  pairAttempts: number;
  /** Requests of an authenticated client run at once; the next ones wait in its queue. */
  concurrentRequests: number;
  /** Requests waiting; more are answered `rate-limited` without being run. */
  queuedRequests: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  preAuthBytes: 32 * 1024,
  preAuthFrames: 16,
  pairAttempts: 3,
  concurrentRequests: 8,
  queuedRequests: 64,
};

export interface ConnectionContext {
  mail: MailService;
  tokens: TokenStore;
  pairing: PairingCodes;
  logger: Logger;
  /** Where refusals and pre-auth trouble go: summarised when they repeat. */
  refusals: RefusalLog;
  now: () => number;
  helperVersion: string;
  authTimeoutMs: number;
  maxBufferedBytes: number;
  limits: ConnectionLimits;
  /** The client is authenticated and has its snapshots: from now on it gets every event. */
  onAuthenticated(connection: Connection): void;
  onClosed(connection: Connection): void;
}

interface Frame {
  data: RawData;
  isBinary: boolean;
}

export class Connection {
  private state: 'awaiting-auth' | 'authenticated' | 'closed' = 'awaiting-auth';
  private token: TokenInfo | null = null;
  private readonly authTimer: NodeJS.Timeout;
  /** Frames that arrive before auth completes are handled in order, one at a time, after it. */
  private preAuth: Promise<void> = Promise.resolve();
  private preAuthBytes = 0;
  private preAuthFrames = 0;
  private pairAttempts = 0;
  private running = 0;
  private readonly waiting: Frame[] = [];
  private readonly logger: Logger;
  private readonly openedAt = Date.now();
  /** Pings seen: the extension's keep-alive; the close log line shows it kept the socket open. */
  private pings = 0;
  /** Aborted when the connection ends: its pairing guess, if still waiting, is dropped. */
  private readonly gone = new AbortController();
  private readonly countPreAuthBytes = (chunk: Buffer) => this.onPreAuthBytes(chunk.length);

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under it: bytes are counted here, before ws buffers a frame. */
    private readonly raw: Duplex,
    private readonly origin: string,
    private readonly context: ConnectionContext,
    readonly id: number,
  ) {
    this.logger = context.logger.child({ connection: id });
    raw.on('data', this.countPreAuthBytes);
    socket.on('message', (data, isBinary) => this.onFrame({ data, isBinary }));
    socket.on('close', () => this.onClose());
    // ws closes the socket itself after an error (oversized frame, broken framing); just note it.
    socket.on('error', (err) => this.note('connection error', { err: { message: `${err.name}: ${err.message}` } }));
    // Nothing an unpaired peer needs beyond the protocol number: the version comes with auth.
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION });
    this.authTimer = setTimeout(
      () => this.refuse(errorReply('unauthenticated', `No auth or pair within ${context.authTimeoutMs} ms.`), 'auth timeout'),
      context.authTimeoutMs,
    );
  }

  get tokenId(): string | undefined {
    return this.token?.id;
  }

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  /** Sends an already-encoded frame, dropping the client if it stopped reading. */
  sendFrame(frame: Buffer): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.context.maxBufferedBytes) {
      this.logger.warn({ label: this.token?.label, bufferedBytes: this.socket.bufferedAmount }, 'client is not reading; dropped');
      this.socket.terminate();
      return;
    }
    this.socket.send(frame, { binary: false });
  }

  revoked(): void {
    this.refuse(errorReply('bad-token', 'This token was revoked: pair the extension again.'), 'token revoked');
  }

  /**
   * Room for a newer connection: only ever called on one that is not authenticated. Dropped at
   * once, with no close handshake, so the number of unauthenticated sockets (and what they hold)
   * really stays under the cap however fast new ones come.
   */
  evict(): void {
    if (this.state !== 'closed') {
      this.context.refusals.note('evicted', 'connection dropped for a newer one', { connection: this.id, reason: 'too many unauthenticated connections' });
      this.stop();
    }
    this.socket.terminate();
  }

  close(): void {
    this.socket.close(CLOSE_GOING_AWAY, 'helper stopping');
  }

  /** Resolves when the socket is fully closed. */
  closed(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  terminate(): void {
    this.socket.terminate();
  }

  private onPreAuthBytes(bytes: number): void {
    this.preAuthBytes += bytes;
    if (this.preAuthBytes <= this.context.limits.preAuthBytes) return;
    // Also after a refusal: a peer that keeps sending instead of closing is held like the others.
    if (this.state === 'closed') this.socket.pause();
    else this.cutOff(`more than ${this.context.limits.preAuthBytes} bytes before auth`);
  }

  private onFrame(frame: Frame): void {
    if (this.state === 'closed') return;
    if (this.state === 'authenticated') return this.enqueue(frame);
    this.preAuthFrames += 1;
    if (this.preAuthFrames > this.context.limits.preAuthFrames) return this.cutOff(`more than ${this.context.limits.preAuthFrames} frames before auth`);
    this.preAuth = this.preAuth.then(() => (this.state === 'authenticated' ? this.enqueue(frame) : this.handleFrame(frame)));
  }

  /** Runs the frame now if few are running, else queues it, else refuses it. */
  private enqueue(frame: Frame): void {
    if (this.running < this.context.limits.concurrentRequests) {
      void this.run(frame);
      return;
    }
    if (this.waiting.length < this.context.limits.queuedRequests) {
      this.waiting.push(frame);
      return;
    }
    const parsed = this.parse(frame);
    this.send(parsed.ok ? errorReply('rate-limited', 'Too many requests at once: this one was not run. Wait for answers before sending more.', parsed.message.id) : parsed.error);
  }

  private async run(frame: Frame): Promise<void> {
    this.running += 1;
    try {
      await this.handleFrame(frame);
    } finally {
      this.running -= 1;
      const next = this.state === 'authenticated' ? this.waiting.shift() : undefined;
      if (next) void this.run(next);
    }
  }

  private parse(frame: Frame): ReturnType<typeof parseClientMessage> {
    if (frame.isBinary) return { ok: false, error: errorReply('bad-json', 'Binary frames are not accepted: send JSON text.') };
    const { data } = frame;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > MAX_CLIENT_FRAME_BYTES) return { ok: false, error: errorReply('too-large', `Frame larger than ${MAX_CLIENT_FRAME_BYTES} bytes.`) };
    // UTF-8 is decoded here, not validated by ws, so broken text gets an error reply instead of a
    // closed connection.
    return parseClientMessage(bytes.toString('utf8'));
  }

  private async handleFrame(frame: Frame): Promise<void> {
    if (this.state === 'closed') return;
    const parsed = this.parse(frame);
    if (!parsed.ok) {
      this.send(parsed.error);
      return;
    }
    try {
      await this.handleMessage(parsed.message);
    } catch (err) {
      this.send(failureReply(err, parsed.message, this.logger));
    }
  }

  private async handleMessage(message: ClientMessage): Promise<void> {
    if (message.type === 'auth' || message.type === 'pair') {
      if (this.state === 'authenticated') {
        this.send(errorReply('invalid', 'Already authenticated.', message.id));
      } else if (message.protocol !== PROTOCOL_VERSION) {
        this.refuse(errorReply('version-mismatch', versionMismatchMessage(PROTOCOL_VERSION, message.protocol), message.id), 'protocol version mismatch');
      } else if (message.type === 'auth') {
        await this.auth(message);
      } else {
        await this.pair(message);
      }
      return;
    }
    if (this.state !== 'authenticated') {
      this.send(errorReply('unauthenticated', 'Send auth or pair first.', message.id));
      return;
    }
    if (message.type === 'ping') this.pings++;
    this.send(await handleRequest(message, this.context));
  }

  private async auth(message: ClientRequest<'auth'>): Promise<void> {
    const verdict = await this.context.tokens.verify(message.token, this.origin);
    if (!verdict.ok) {
      this.refuse(errorReply('bad-token', 'Unknown or revoked token: pair the extension again.', message.id), verdict.reason);
      return;
    }
    const { info } = verdict;
    this.authenticate(info, { type: 'result', id: message.id, data: { helperVersion: this.context.helperVersion } });
    this.context.tokens.touch(info.id, this.origin).catch((err: Error) => this.logger.warn({ err: { message: `${err.name}: ${err.message}` } }, 'could not record token use'));
  }

  private async pair(message: ClientRequest<'pair'>): Promise<void> {
    this.pairAttempts += 1;
    if (this.pairAttempts > this.context.limits.pairAttempts) {
      this.refuse(errorReply('rate-limited', 'Too many pairing attempts on one connection: reconnect to try again.', message.id), 'too many pairing attempts');
      return;
    }
    const redeemed = await this.context.pairing.redeem(message.code, this.gone.signal);
    // Gone while the code waited or was checked: no answer, and no token nobody will ever hold.
    if (this.state === 'closed') return;
    if (!redeemed.ok) {
      // Not `code`: the helper's logger redacts that key (pairing codes).
      this.note('pairing refused', { errorCode: redeemed.code });
      this.send(errorReply(redeemed.code, redeemed.message, message.id));
      return;
    }
    const { token, info } = await this.context.tokens.issue(message.clientName, this.origin);
    this.logger.info({ label: info.label, tokenId: info.id, origin: this.origin }, 'paired');
    this.authenticate(info, { type: 'result', id: message.id, data: { token, helperVersion: this.context.helperVersion } });
  }

  /** Result, then snapshots, then events: all in one synchronous step, so no event slips between. */
  private authenticate(entry: TokenInfo, reply: ServerMessage): void {
    if (this.state !== 'awaiting-auth') return;
    clearTimeout(this.authTimer);
    this.raw.off('data', this.countPreAuthBytes);
    this.state = 'authenticated';
    this.token = entry;
    this.logger.info({ label: entry.label, tokenId: entry.id, origin: this.origin }, 'authenticated');
    this.send(reply);
    for (const { account, previews } of this.context.mail.snapshots()) this.send({ type: 'snapshot', account, previews });
    this.context.onAuthenticated(this);
  }

  private send(message: ServerMessage): void {
    const encoded = encodeServerMessage(message);
    if (encoded.ok) {
      this.sendFrame(encoded.frame);
      return;
    }
    this.logger.error({ problem: encoded.problem }, 'message not sent');
    // A reply must still be answered, once: with an error in place of the unsendable result.
    if (message.type === 'result') {
      this.send(errorReply('internal', 'The helper could not send its answer; details are in its log.', message.id));
    }
  }

  /** Before auth anyone can cause these as often as they like: summarised when they repeat. */
  private note(msg: string, fields: Record<string, unknown>): void {
    if (this.state === 'authenticated') this.logger.info({ label: this.token?.label, ...fields }, msg);
    else this.context.refusals.note(msg, msg, { connection: this.id, ...fields });
  }

  private refuse(reply: ServerMessage, reason: string): void {
    if (this.state === 'closed') return;
    const fields = { reason, label: this.token?.label };
    if (this.state === 'authenticated') this.logger.warn(fields, 'connection closed by the helper');
    else this.context.refusals.note(`closed: ${reason}`, 'connection closed by the helper', { connection: this.id, ...fields });
    this.send(reply);
    this.stop();
    this.socket.close(CLOSE_POLICY, reason);
    setTimeout(() => this.socket.terminate(), REFUSED_CLOSE_MS).unref();
  }

  /**
   * An unauthenticated peer over its budget: nothing more is read from it (what it still sends
   * waits in the kernel's buffers, not ours), no reply, and the connection is dropped when its
   * auth deadline would have passed. Held rather than dropped at once, so a flooder that
   * reconnects as soon as it is dropped makes a few connections a second, not hundreds.
   */
  private cutOff(reason: string): void {
    if (this.state === 'closed') return;
    this.context.refusals.note(`cut off: ${reason}`, 'connection cut off before auth', { connection: this.id, reason });
    this.stop();
    this.socket.pause();
    setTimeout(() => this.socket.terminate(), Math.max(0, this.openedAt + this.context.authTimeoutMs - Date.now())).unref();
  }

  private stop(): void {
    this.state = 'closed';
    clearTimeout(this.authTimer);
    // Requests not started yet are dropped: nobody is there for their answers.
    this.waiting.length = 0;
    this.gone.abort();
  }

  private onClose(): void {
    if (this.state === 'authenticated') {
      this.logger.info({ label: this.token?.label, openForMs: Date.now() - this.openedAt, pings: this.pings }, 'connection closed');
    }
    this.stop();
    this.raw.off('data', this.countPreAuthBytes);
    this.context.onClosed(this);
  }
}
