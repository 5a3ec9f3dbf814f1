/**
 * A scripted IMAP server on 127.0.0.1: a greeting and a LOGIN answer, enough for imapflow to
 * build the error objects it builds against real servers (throttling, rejections, BYE). Counts
 * its connections like the proxy does, so tests can tell how many logins were tried.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { nextEvent } from './wait';

export interface ImapScript {
  /**
   * The first line, e.g. `* OK [CAPABILITY IMAP4rev1] ready`; a `* BYE` greeting also closes the
   * connection; null sends nothing at all (a link that stalls before the greeting).
   */
  greeting: string | null;
  /**
   * The tagged answer to LOGIN, without the tag, e.g. `NO [UNAVAILABLE] Try later`; `silent`
   * never answers, `close` closes the connection instead of answering (a link cut mid-login).
   */
  login?: string;
  /** What CAPABILITY lists; `IMAP4rev1` unless told. STARTTLS, if listed, is answered NO. */
  capability?: string;
}

export class ScriptedImapServer {
  readonly host = '127.0.0.1';
  readonly listening: Promise<void>;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly events = new EventEmitter();
  private total = 0;
  /** Command names received, in order (never their arguments: LOGIN's carry a password). */
  readonly commands: string[] = [];

  constructor(private readonly script: ImapScript) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => resolve());
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get connectionsTotal(): number {
    return this.total;
  }

  get connectionsOpen(): number {
    return this.sockets.size;
  }

  /** Resolves when the next command named `name` arrives. Call it before causing it. */
  async nextCommand(name: string, timeoutMs = 5_000): Promise<void> {
    await nextEvent(this.events, `command:${name.toUpperCase()}`, timeoutMs);
  }

  /** Resolves on the next connection. Call it before causing the connection. */
  async nextConnection(timeoutMs = 5_000): Promise<void> {
    await nextEvent(this.events, 'connection', timeoutMs);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.total++;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.events.emit('connection');
    if (this.script.greeting === null) return;
    socket.write(`${this.script.greeting}\r\n`);
    if (this.script.greeting.startsWith('* BYE')) {
      socket.end();
      return;
    }
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const [tag, command = ''] = line.split(' ');
        const name = command.toUpperCase();
        this.commands.push(name);
        this.events.emit(`command:${name}`);
        if (name === 'CAPABILITY') socket.write(`* CAPABILITY ${this.script.capability ?? 'IMAP4rev1'}\r\n${tag} OK done\r\n`);
        else if (name === 'STARTTLS') socket.write(`${tag} NO TLS is not available now\r\n`);
        else if (name === 'LOGIN' && this.script.login === 'close') socket.destroy();
        else if (name === 'LOGIN' && this.script.login !== 'silent') socket.write(`${tag} ${this.script.login}\r\n`);
        else if (name !== 'LOGIN') socket.write(`${tag} BAD unexpected\r\n`);
      }
    });
  }
}

export async function startScriptedImap(script: ImapScript): Promise<ScriptedImapServer> {
  const server = new ScriptedImapServer(script);
  await server.listening;
  return server;
}
