// hoodiecrow-imap ships no types; this is the small part the demo server uses.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowOptions {
    plugins?: string[];
    id?: Record<string, string>;
    storage?: Record<string, unknown>;
    users?: Record<string, { password: string }>;
  }

  /** A FETCH item as parsed from the request (`partial` is `<start.length>`). */
  export interface FetchQuery {
    partial?: number[];
  }
  export type FetchHandler = (connection: unknown, message: unknown, query: FetchQuery) => unknown;

  interface HoodiecrowServer {
    server: Server;
    /** Per-server FETCH item handlers, tried before the built-in ones. */
    fetchHandlers: Record<string, FetchHandler>;
    listen(port: number, host: string, callback: () => void): void;
    close(callback?: () => void): void;
    getMailbox(path: string): unknown;
    appendMessage(mailbox: unknown, flags: string[], internaldate: string | Date | false, raw: string): void;
  }

  export default function hoodiecrow(options: HoodiecrowOptions): HoodiecrowServer;
}

declare module 'hoodiecrow-imap/lib/commands/handlers/fetch.js' {
  import type { FetchHandler } from 'hoodiecrow-imap';

  const builtInFetchHandlers: Record<string, FetchHandler>;
  export default builtInFetchHandlers;
}
