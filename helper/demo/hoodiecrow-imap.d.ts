// hoodiecrow-imap ships no types; this is the small part the demo server uses.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowOptions {
    plugins?: string[];
    id?: Record<string, string>;
    storage?: Record<string, unknown>;
    users?: Record<string, { password: string }>;
  }

  interface HoodiecrowServer {
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
    getMailbox(path: string): unknown;
    appendMessage(mailbox: unknown, flags: string[], internaldate: string | Date | false, raw: string): void;
  }

  export default function hoodiecrow(options: HoodiecrowOptions): HoodiecrowServer;
}
