import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves a static build (the web messenger's dist/) over HTTP on loopback: what `pnpm web` and
 * the end-to-end test use. Files outside the directory are never served; unknown paths get
 * index.html (the app has one page). Headers forbid framing and MIME sniffing.
 */
export class StaticServer {
  readonly url: string;
  readonly #server: Server;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async start(root: string, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
    const base = normalize(root + sep);
    const server = createServer((request, response) => {
      void (async () => {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          response.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        let path: string;
        try {
          path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
        } catch {
          response.writeHead(400).end();
          return;
        }
        let file = normalize(join(base, path));
        if (!file.startsWith(base)) {
          response.writeHead(403).end();
          return;
        }
        const found = await stat(file).catch(() => undefined);
        if (found === undefined || found.isDirectory()) file = join(base, 'index.html');
        const size = (await stat(file).catch(() => undefined))?.size;
        if (size === undefined) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': size,
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'cache-control': file.includes(`${sep}assets${sep}`)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).pipe(response);
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const address = server.address() as AddressInfo;
    return new StaticServer(server, `http://${host}:${address.port}/`);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }
}
