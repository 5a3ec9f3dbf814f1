/**
 * One extension connection: hello, then auth or pair within a deadline, then requests. Until the
 * client is authenticated it gets nothing but hello and error replies; once it is, it gets its
 * snapshots and, through the server's fan-out, every event.
 */
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
import { failureReply, handleRequest } from './request-handler';
import type { TokenInfo, TokenStore } from './tokens';

/** RFC 6455 "policy violation": every refusal after the upgrade. */
const CLOSE_POLICY = 1008;
const CLOSE_GOING_AWAY = 1001;

export interface ConnectionContext {
  mail: MailService;
  tokens: TokenStore;
  pairing: PairingCodes;
  logger: Logger;
  now: () => number;
  helperVersion: string;
  authTimeoutMs: number;
  maxBufferedBytes: number;
  /** The client is authenticated and has its snapshots: from now on it gets every event. */
  onAuthenticated(connection: Connection): void;
  onClosed(connection: Connection): void;
}

export class Connection {
  private state: 'awaiting-auth' | 'authenticated' | 'closed' = 'awaiting-auth';
  private token: TokenInfo | null = null;
  private readonly authTimer: NodeJS.Timeout;
  /** Frames that arrive before auth completes are handled in order, after it. */
  private preAuth: Promise<void> = Promise.resolve();
  private readonly logger: Logger;
  private readonly openedAt = Date.now();
  /** Pings seen: the extension's keep-alive; the close log line shows it kept the socket open. */
  private pings = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: ConnectionContext,
    connectionId: number,
  ) {
    this.logger = context.logger.child({ connection: connectionId });
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClose());
    // ws closes the socket itself after an error (oversized frame, broken framing); just note it.
    socket.on('error', (err) => this.logger.info({ err: { message: `${err.name}: ${err.message}` } }, 'connection error'));
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, helperVersion: context.helperVersion });
    this.authTimer = setTimeout(
      () => this.refuse(errorReply('unauthenticated', `No auth or pair within ${context.authTimeoutMs} ms.`), 'auth timeout'),
      context.authTimeoutMs,
    );
  }

  get tokenId(): string | undefined {
    return this.token?.id;
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

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.state === 'authenticated') {
      void this.handleFrame(data, isBinary);
    } else {
      this.preAuth = this.preAuth.then(() => this.handleFrame(data, isBinary));
    }
  }

  private async handleFrame(data: RawData, isBinary: boolean): Promise<void> {
    if (this.state === 'closed') return;
    if (isBinary) {
      this.send(errorReply('bad-json', 'Binary frames are not accepted: send JSON text.'));
      return;
    }
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > MAX_CLIENT_FRAME_BYTES) {
      this.send(errorReply('too-large', `Frame larger than ${MAX_CLIENT_FRAME_BYTES} bytes.`));
      return;
    }
    // UTF-8 is decoded here, not validated by ws, so broken text gets an error reply instead of a
    // closed connection.
    const parsed = parseClientMessage(bytes.toString('utf8'));
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
    const entry = await this.context.tokens.verify(message.token);
    if (!entry) {
      this.refuse(errorReply('bad-token', 'Unknown or revoked token: pair the extension again.', message.id), 'bad token');
      return;
    }
    this.authenticate(entry, { type: 'result', id: message.id, data: {} });
    this.context.tokens.touch(entry.id).catch((err: Error) => this.logger.warn({ err: { message: `${err.name}: ${err.message}` } }, 'could not record token use'));
  }

  private async pair(message: ClientRequest<'pair'>): Promise<void> {
    const redeemed = await this.context.pairing.redeem(message.code);
    if (!redeemed.ok) {
      // Not `code`: the helper's logger redacts that key (pairing codes).
      this.logger.warn({ errorCode: redeemed.code }, 'pairing refused');
      this.send(errorReply(redeemed.code, redeemed.message, message.id));
      return;
    }
    // Gone while the code was checked: no token nobody will ever hold.
    if (this.state === 'closed') return;
    const { token, info } = await this.context.tokens.issue(message.clientName);
    this.logger.info({ label: info.label, tokenId: info.id }, 'paired');
    this.authenticate(info, { type: 'result', id: message.id, data: { token } });
  }

  /** Result, then snapshots, then events: all in one synchronous step, so no event slips between. */
  private authenticate(entry: TokenInfo, reply: ServerMessage): void {
    if (this.state !== 'awaiting-auth') return;
    clearTimeout(this.authTimer);
    this.state = 'authenticated';
    this.token = entry;
    this.logger.info({ label: entry.label, tokenId: entry.id }, 'authenticated');
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

  private refuse(reply: ServerMessage, reason: string): void {
    if (this.state === 'closed') return;
    this.logger.warn({ reason, label: this.token?.label }, 'connection closed by the helper');
    this.send(reply);
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.socket.close(CLOSE_POLICY, reason);
  }

  private onClose(): void {
    if (this.state === 'authenticated') {
      this.logger.info({ label: this.token?.label, openForMs: Date.now() - this.openedAt, pings: this.pings }, 'connection closed');
    }
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.context.onClosed(this);
  }
}
