/** What a benchmark is to the runner: a name to select it by, and rows for the table. */
export interface BenchOptions {
  /** A short run for development: fewer samples, shorter windows; its figures are not the record. */
  quick: boolean;
  /** `--cycles` and `--sleep` (seconds): the length of a long benchmark's run (wake), when given. */
  cycles?: number;
  sleepSeconds?: number;
  log(line: string): void;
}

export interface Row {
  measure: string;
  figure: string;
  target?: string;
  /** Absent when the row has no target. */
  met?: boolean;
}

export interface Bench {
  name: string;
  title: string;
  /** Long, light runs (minutes of waiting) that the runner runs side by side with each other. */
  together?: boolean;
  run(options: BenchOptions): Promise<Row[]>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `read()` has not changed for `quietMs` (at most `timeoutMs`): the link went quiet. */
export async function quiet(read: () => number, quietMs = 250, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(25);
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return;
  }
  throw new Error(`still busy after ${timeoutMs} ms`);
}
