/** One line of `helper doctor`: what was checked, what was found and, when it is not fine, what to do. */
export interface CheckResult {
  ok: boolean;
  /** Works, but worse than it could: shown with "!" and its reason, never a failure. */
  warning?: boolean;
  title: string;
  detail: string;
  /** The next step; for failed checks and warnings. */
  fix?: string;
}

export function checkMark(result: CheckResult): '✓' | '!' | '✗' {
  return !result.ok ? '✗' : result.warning ? '!' : '✓';
}

export function formatChecks(results: readonly CheckResult[]): string {
  return results
    .map((r) => `${checkMark(r)} ${r.title}: ${r.detail}${r.fix ? `\n    → ${r.fix}` : ''}`)
    .join('\n');
}

/** "3 min ago", "in 12 min": the doctor speaks in distances from now, which read the same anywhere. */
export function relativeTime(at: number, now: number): string {
  const distance = Math.abs(at - now);
  const words =
    distance < 60_000
      ? `${Math.round(distance / 1000)} s`
      : distance < 3_600_000
        ? `${Math.round(distance / 60_000)} min`
        : distance < 172_800_000
          ? `${Math.round(distance / 3_600_000)} h`
          : `${Math.round(distance / 86_400_000)} days`;
  return at > now ? `in ${words}` : `${words} ago`;
}
