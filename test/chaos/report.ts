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
    `Written by \`${meta.command}\` on ${meta.date} (Node ${meta.node}). Each scenario drives the real helper code`,
    'against a real Dovecot through a fault-injecting TCP proxy (or a scripted server), on a virtual clock where time',
    'matters: "virtual" times are simulated, "real" times are wall-clock on this machine. A short version of every',
    'scenario runs in the normal test suite (`test/chaos/*.test.ts`).',
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
  });
  return lines.join('\n');
}
