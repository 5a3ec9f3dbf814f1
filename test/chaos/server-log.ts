/**
 * What the IMAP server itself saw, read from Dovecot's log (the acceptance check counts so):
 * logins it accepted, logins it refused, and the most sessions of a user open at once, in the
 * order Dovecot logged them. A login whose client vanished before the answer is counted by what
 * Dovecot wrote about it, whatever the client believed.
 */
export interface ServerLogins {
  accepted: number;
  failed: number;
  /** Connections that closed with no login attempt (a greeting never read, a stalled link). */
  noAuth: number;
  maxSessions: number;
  /** Sessions still open at the end of the log, by Dovecot's session id. */
  openAtEnd: Set<string>;
}

/**
 * `others`: session ids that are not the helper's (the scenario's "other device", which logs in
 * as the same user straight to Dovecot): left out of every count.
 */
export function serverLogins(logText: string, user: string, others: ReadonlySet<string> = new Set()): ServerLogins {
  const result: ServerLogins = { accepted: 0, failed: 0, noAuth: 0, maxSessions: 0, openAtEnd: new Set() };
  const open = new Set<string>();
  const name = user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const login = new RegExp(`imap-login: .*Login: user=<${name}>.*session=<([^>]+)>`);
  const ended = new RegExp(`imap\\(${name}\\)<\\d+><([^>]+)>: .*Disconnected`);
  const failed = new RegExp(`imap-login: .*\\(auth failed, (\\d+) attempts.*user=<${name}>`);
  for (const line of logText.split('\n')) {
    const started = login.exec(line);
    if (started && others.has(started[1])) continue;
    if (started) {
      result.accepted++;
      open.add(started[1]);
      result.maxSessions = Math.max(result.maxSessions, open.size);
      continue;
    }
    const end = ended.exec(line);
    if (end) {
      open.delete(end[1]);
      continue;
    }
    const refused = failed.exec(line);
    if (refused) result.failed += Number(refused[1]);
    else if (/imap-login: .*no auth attempts/.test(line)) result.noAuth++;
  }
  result.openAtEnd = open;
  return result;
}
