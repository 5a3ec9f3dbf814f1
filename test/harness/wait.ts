import { once, type EventEmitter } from 'node:events';

/** Settles like `promise`, or rejects after `ms` naming `what`, so a hung wait fails the test instead of the run. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the arguments of the next `event` from `emitter`, or rejects after `ms`. */
export async function nextEvent(emitter: EventEmitter, event: string, ms: number): Promise<unknown[]> {
  // An abort signal (not withTimeout) so a timed-out wait also removes its listener.
  const signal = AbortSignal.timeout(ms);
  try {
    return await once(emitter, event, { signal });
  } catch (err) {
    if (signal.aborted) throw new Error(`timed out after ${ms} ms waiting for event '${event}'`);
    throw err;
  }
}

/**
 * Re-checks `condition` until it holds. Only for state that announces itself with no event
 * (a file another process reads, a port another process opens); bounded in time and tries.
 */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  { what, timeoutMs, intervalMs }: { what: string; timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const maxTries = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let tries = 0; tries < maxTries && Date.now() <= deadline; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
