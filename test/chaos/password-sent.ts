/**
 * Calls `then` once, at the moment a client's password passes the proxy (before it is forwarded):
 * with LOGIN, in its line; with AUTHENTICATE PLAIN, in the line itself (SASL-IR) or the one that
 * answers the server's "+". Chunks are matched, never logged. Returns a function that stops it.
 */
import type { TcpProxy } from '../harness/proxy';

export function whenPasswordSent(proxy: TcpProxy, then: () => void): () => void {
  let credentialsNext = false;
  let fired = false;
  const stop = proxy.onClientData((chunk) => {
    if (fired) return;
    const text = chunk.toString('latin1');
    const sendsPassword = credentialsNext || /\bLOGIN\b/i.test(text) || /\bAUTHENTICATE PLAIN \S+/i.test(text);
    credentialsNext ||= /\bAUTHENTICATE\b/i.test(text);
    if (!sendsPassword) return;
    fired = true;
    then();
  });
  return stop;
}
