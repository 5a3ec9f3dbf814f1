/**
 * What a chaos scenario hands back: what was injected, the measured figures, and its checks
 * (each a count compared to what was injected). The short runs assert the checks; the full run
 * (scripts/chaos.mjs) writes them to docs/RELIABILITY.md.
 */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type Figure = [label: string, value: string | number];

export interface ScenarioResult {
  title: string;
  injected: string;
  figures: Figure[];
  checks: Check[];
  realMs: number;
  /** What the figures mean for a user, when that is not obvious. */
  notes?: string;
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

export function failedChecks(result: ScenarioResult): Check[] {
  return result.checks.filter((c) => !c.ok);
}

/** Appended UIDs against announced ones: exactly once each is the goal. */
export function tally(appended: readonly number[], notified: readonly number[]) {
  const expected = new Set(appended);
  const seen = new Map<number, number>();
  for (const uid of notified) seen.set(uid, (seen.get(uid) ?? 0) + 1);
  return {
    appended: expected.size,
    reported: [...seen.keys()].filter((uid) => expected.has(uid)).length,
    duplicates: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
    missed: [...expected].filter((uid) => !seen.has(uid)),
    unexpected: [...seen.keys()].filter((uid) => !expected.has(uid)),
  };
}

export function mailChecks(t: ReturnType<typeof tally>): Check[] {
  return [
    check('every appended message reported', t.missed.length === 0, `${t.reported}/${t.appended} reported; missed UIDs: ${t.missed.join(', ') || 'none'}`),
    check('no message reported twice', t.duplicates === 0, `${t.duplicates} duplicate announcement(s)`),
    check('nothing reported that was not appended', t.unexpected.length === 0, `unexpected UIDs: ${t.unexpected.join(', ') || 'none'}`),
  ];
}

/** The most `times` inside any window of `windowMs` ending at one of them (as the policy counts). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start] <= sorted[end] - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 3_600_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 3_600_000).toFixed(1)} h`;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function renderReport(results: readonly ScenarioResult[], meta: { command: string; date: string; node: string }): string {
  const lines = [
    '# Reliability: the fault and abuse suite',
    '',
    `Written by \`${meta.command}\` on ${meta.date} (Node ${meta.node}). A short version of every scenario runs in the`,
    'normal test suite (`test/chaos/*.test.ts`, same code, smaller numbers, the same checks).',
    '',
    '## Method',
    '',
    '- The code under test is the real one: `AccountSession` with imapflow, `LoginPolicy` over the real policy and',
    '  login-log files, the new-mail marks file, the account registry and WebSocket server, and (scenarios 6, 7, 10,',
    '  12 and 13) the helper process itself. The server is a real Dovecot, reached through a TCP proxy that cuts links',
    '  (`dropAll`), holds them silent (`stall`), holds only the server\'s answers (`holdReplies`), or refuses',
    '  connections, and counts every connection; scenario 5 uses a scripted IMAP server instead.',
    '- Logins and sessions are also counted from the server\'s own log (Dovecot\'s: `Login:` lines, `auth failed, N',
    '  attempts`, and each session\'s `Disconnected`, in the order Dovecot wrote them), the way the acceptance check',
    '  of issue 14 counts them; the "other device" that appends mail logs in as the same user and is left out.',
    '- Time: the session and the login policy run on a virtual clock (`test/chaos/virtual-clock.ts`) with a wall',
    '  reading and a monotonic one (a sleep moves only the wall). The driver moves it only when the session is',
    '  quiescent: a settled state, no command on the wire (no deadline timer pending) and the proxy\'s open',
    '  connections matching the state. So real IMAP I/O always completes between jumps, and a day takes seconds.',
    '  "Virtual" figures are simulated time; "real" figures are wall-clock time on this machine.',
    '- Session tuning is the shipped default (`DEFAULT_TUNING`): heartbeat 3.5 min, tick 10 s, clock-jump threshold',
    '  30 s, command and connect deadlines 30 s. Stated bounds below are derived from it.',
    '- Every scenario is seeded; the same seed injects the same faults. Checks compare counts to what was injected:',
    '  logins at the proxy and in the login log, messages appended and announced, connections open at once.',
    '- Issue 14 (lockout safety without gaps), point by point: 1, a login cut short: scenarios 10 and 6; 2, never two',
    '  sessions: 11; 3, connects are not logins: 12, 5 (the BYE greeting) and 6 (the refusing link); 4, pacing: 1; 5, the',
    '  5 s backoff floor: 1 and 12; 6, the keychain: not a chaos scenario (it needs a D-Bus session), tested against a',
    '  real Secret Service by `test/keychain/` under `scripts/with-test-keyring.sh` in `npm test`; 7, what the user sees:',
    '  the `user-retry` trigger in 10 and 11, `helper logins`/`retry` in `test/cli/`.',
    '',
    `Result: ${results.filter((r) => failedChecks(r).length === 0).length} of ${results.length} scenarios pass every check.`,
    '',
  ];
  results.forEach((result, index) => {
    lines.push(`## ${index + 1}. ${result.title}`, '', `**Injected:** ${result.injected}`, '', '| figure | value |', '| --- | --- |');
    for (const [label, value] of result.figures) lines.push(`| ${label} | ${value} |`);
    lines.push(`| real run time | ${seconds(result.realMs)} |`, '', '| check | result | detail |', '| --- | --- | --- |');
    for (const c of result.checks) lines.push(`| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail.replace(/\|/g, '\\|')} |`);
    lines.push('');
    if (result.notes) lines.push(`**Note:** ${result.notes}`, '');
  });
  return lines.join('\n');
}
