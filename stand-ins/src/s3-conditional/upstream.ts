/**
 * The S3 emulator behind the proxy: a request is forwarded with its method, path, query,
 * headers (hop-by-hop ones and any named in `dropHeaders` left out; Host set to the upstream)
 * and body, and the emulator's answer is passed back as it came, except for hop-by-hop headers
 * and a content-length the proxy's server sets again (a HEAD answer keeps the object's).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { StandInRequest, StandInResponse } from '../http/server.js';

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export function forward(
  upstream: URL,
  request: StandInRequest,
  method: string,
  dropHeaders: readonly string[] = [],
): Promise<UpstreamResponse> {
  const headers = forwardedHeaders(upstream, request, method, dropHeaders);
  const query = request.query.toString();
  return new Promise((resolve, reject) => {
    const upstreamRequest = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method,
        path: `${request.path}${query ? `?${query}` : ''}`,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    upstreamRequest.on('error', reject);
    upstreamRequest.end(method === 'HEAD' || method === 'GET' ? undefined : request.body);
  });
}

function forwardedHeaders(
  upstream: URL,
  request: StandInRequest,
  method: string,
  dropHeaders: readonly string[],
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || hopByHop.has(name) || dropHeaders.includes(name)) continue;
    headers[name] = value;
  }
  headers.host = upstream.host;
  if (method === 'HEAD') delete headers['content-length'];
  return headers;
}

export function passThrough(response: UpstreamResponse, method: string): StandInResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || hopByHop.has(name)) continue;
    // The body is re-sent with its own length, but a HEAD answer must keep the object's.
    if (name === 'content-length' && method !== 'HEAD') continue;
    headers[name] = value;
  }
  return {
    status: response.status,
    headers,
    body: method === 'HEAD' ? undefined : response.body,
  };
}
