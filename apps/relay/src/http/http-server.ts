import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostPort } from '../config/values.ts';
import { RelayError, describeError } from '../errors.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry.ts';

export interface HttpHandlers {
  /** The health document and whether the relay is serving (200) or not (503). */
  readonly health: () => { readonly ok: boolean; readonly body: Readonly<Record<string, unknown>> };
  /** The metrics in the Prometheus text format. */
  readonly metrics: () => string;
}

export interface HttpServer {
  /** Where it answers, e.g. http://127.0.0.1:4013 (the real port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * GET /health and GET /metrics, nothing else. It has no authentication: bind it to loopback or
 * a private network (the default is 127.0.0.1), and let Prometheus scrape it from there.
 */
export async function startHttpServer(
  address: HostPort,
  handlers: HttpHandlers,
): Promise<HttpServer> {
  const server = createServer((request, response) => {
    try {
      route(request, response, handlers);
    } catch (error) {
      send(response, 500, 'application/json', JSON.stringify({ error: describeError(error) }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => {
      reject(
        new RelayError(
          'HTTP_FAILED',
          `cannot serve health and metrics on ${address.host}:${address.port}: ${describeError(cause)}; choose another with --http HOST:PORT, or --http off`,
          { cause },
        ),
      );
    });
    server.listen(address.port, address.host, resolve);
  });
  const { address: host, port, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Scrapers keep connections alive; they must not hold the shutdown up.
        server.closeAllConnections();
      }),
  };
}

function route(request: IncomingMessage, response: ServerResponse, handlers: HttpHandlers): void {
  const path = new URL(request.url ?? '/', 'http://relay').pathname;
  if (path !== '/health' && path !== '/metrics') {
    send(
      response,
      404,
      'application/json',
      JSON.stringify({ error: 'not found', paths: ['/health', '/metrics'] }),
    );
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'application/json', JSON.stringify({ error: 'only GET and HEAD' }));
    return;
  }
  if (path === '/metrics') {
    send(response, 200, PROMETHEUS_CONTENT_TYPE, handlers.metrics(), request.method === 'HEAD');
    return;
  }
  const health = handlers.health();
  send(
    response,
    health.ok ? 200 : 503,
    'application/json',
    JSON.stringify(health.body),
    request.method === 'HEAD',
  );
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  headOnly = false,
): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(headOnly ? undefined : body);
}
