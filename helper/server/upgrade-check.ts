/**
 * Who may open the helper's WebSocket: decided from the HTTP upgrade request alone, before any
 * frame is exchanged. Web pages are the threat: they can open WebSockets to loopback, but the
 * browser sets their Origin to http(s)://…, which is refused here; and a page on a rebound DNS
 * name carries its own name in Host, which is refused too. Pure, so it is tested on its own.
 */

export type UpgradeVerdict = { ok: true } | { ok: false; reason: string };

// Chrome (and Edge, Brave, Opera) extension ids are 32 letters a–p; Firefox gives each install a
// UUID; Safari uses a UUID or, for some builds, the extension's identifier.
const EXTENSION_ORIGINS = [
  /^chrome-extension:\/\/[a-p]{32}$/,
  /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /^safari-web-extension:\/\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9.-]{0,127})$/i,
];

export function isExtensionOrigin(origin: string): boolean {
  return EXTENSION_ORIGINS.some((pattern) => pattern.test(origin));
}

/** `origin` and `host` are the raw header values (undefined when absent); `port` is the bound port. */
export function checkUpgrade(request: { origin: string | undefined; host: string | undefined; port: number }): UpgradeVerdict {
  const { origin, host, port } = request;
  if (host === undefined) return { ok: false, reason: 'no Host header' };
  const allowedHosts = [`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(host.toLowerCase())) return { ok: false, reason: 'Host is not a loopback address with the helper port' };
  if (origin === undefined) return { ok: false, reason: 'no Origin header' };
  if (origin === 'null') return { ok: false, reason: 'opaque (null) Origin' };
  if (!isExtensionOrigin(origin)) return { ok: false, reason: 'Origin is not a browser extension' };
  return { ok: true };
}
