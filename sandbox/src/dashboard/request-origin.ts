import type { IncomingMessage } from 'node:http';

export interface Refusal {
  readonly status: number;
  readonly error: string;
}

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The dashboard serves on loopback, but any web page the user opens can make the browser send
 * it requests. A page on another origin can read nothing back (no CORS headers), yet a "simple"
 * cross-origin POST (text/plain, no preflight) would still run; and a DNS-rebinding page gets
 * past the same-origin policy under its own host name. So:
 * - every request must name the dashboard's own loopback host (Host), or it is refused;
 * - a state-changing request must come from the dashboard's own origin when the browser says
 *   where it comes from (Origin, Sec-Fetch-Site; scripts and curl send neither), and must be
 *   JSON, which a cross-origin page cannot send without a preflight this server never grants.
 */
export function refuseForeignHost(request: IncomingMessage, port: number): Refusal | undefined {
  const host = (request.headers.host ?? '').toLowerCase();
  if (loopbackHosts.some((name) => host === `${name}:${port}`)) return undefined;
  return {
    status: 403,
    error: `the dashboard answers only as ${loopbackHosts.map((name) => `${name}:${port}`).join(' or ')}, not as "${host.slice(0, 100)}"`,
  };
}

export function refuseCrossSiteWrite(request: IncomingMessage, port: number): Refusal | undefined {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return {
      status: 403,
      error: `cross-site request refused (Sec-Fetch-Site: ${String(fetchSite)}): use the dashboard page itself`,
    };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !loopbackHosts.some((name) => origin === `http://${name}:${port}`)) {
    return {
      status: 403,
      error: `request from another origin refused (Origin: ${origin.slice(0, 100)}): use the dashboard page itself`,
    };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      status: 415,
      error: `send the request body as JSON with content-type: application/json (got "${type ?? ''}")`,
    };
  }
  return undefined;
}
