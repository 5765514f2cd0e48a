import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import type { HostPort } from '../config/values.ts';
import { RelayError, describeError } from '../errors.ts';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file the page reads to learn this relay's addresses: its default relay. */
const RELAYS_PATH = '/kith-relays.json';

/**
 * The page's own origin only, and WebSockets (its relays). No inline script or style, no
 * framing, no forms, no plugins: a message that slipped past the Markdown renderer could still
 * run nothing and load nothing from elsewhere.
 */
function contentSecurityPolicy(secure: boolean): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    // Voice messages play from object URLs of decrypted bytes.
    'media-src blob:',
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    // A page served over https dials only wss (a browser would block ws as mixed content anyway).
    `connect-src 'self' ${secure ? 'wss:' : 'ws: wss:'}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface WebServerOptions {
  /** The static build (apps/web/dist): must hold index.html. */
  readonly root: string;
  readonly address: HostPort;
  /** PEM certificate and key: served over https when given. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /** The relay's dialable addresses, served at RELAYS_PATH (read on each request). */
  readonly multiaddrs: () => readonly string[];
}

export interface WebServer {
  /** Where the page is, e.g. https://127.0.0.1:4080/ (the real port when 0 was asked for). */
  readonly url: string;
  /** Serves new connections with this certificate (SIGHUP); open ones keep theirs. */
  setCertificate(cert: string, key: string): void;
  close(): Promise<void>;
}

/**
 * Serves the web messenger's static build beside the relay (`--web`), so a community relay is
 * also the page its people open. GET and HEAD only; a path that leaves the build directory (by
 * `..`, an encoded separator or a symbolic link) or names a dot file is refused; paths without
 * an extension get index.html (the app has one page). Each response carries a strict CSP.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  let root: string;
  try {
    root = await realpath(options.root);
    await stat(join(root, 'index.html'));
  } catch (cause) {
    throw new RelayError(
      'WEB_FAILED',
      `--web ${options.root} holds no index.html: build the web app first (npx -y pnpm@10 --filter @kith/web build) or give its dist/ directory`,
      { cause },
    );
  }
  const secure = options.tls !== undefined;
  const csp = contentSecurityPolicy(secure);
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    serve(root, request, response, csp, secure, options.multiaddrs).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(describeError(error));
      else response.destroy();
    });
  };
  const server =
    options.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler);
  const { host: wanted, port: wantedPort } = options.address;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => {
      reject(
        new RelayError(
          'WEB_FAILED',
          `cannot serve the web app on ${wanted}:${wantedPort}: ${describeError(cause)}; choose another with --web-listen HOST:PORT`,
          { cause },
        ),
      );
    });
    server.listen(wantedPort, wanted, resolve);
  });
  const { address: host, port, family } = server.address() as AddressInfo;
  const shown = family === 'IPv6' ? `[${host}]` : host;
  return {
    url: `${secure ? 'https' : 'http'}://${shown}:${port}/`,
    setCertificate: (cert, key) => {
      if ('setSecureContext' in server) server.setSecureContext({ cert, key });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function serve(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
  csp: string,
  secure: boolean,
  multiaddrs: () => readonly string[],
): Promise<void> {
  const headers: Record<string, string | number> = {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    return;
  }
  const head = request.method === 'HEAD';
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://relay').pathname);
  } catch {
    response.writeHead(400, headers).end();
    return;
  }
  if (path === RELAYS_PATH) {
    const body = JSON.stringify({ relays: multiaddrs().filter((a) => a.includes('/ws')) });
    response
      .writeHead(200, {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      })
      .end(head ? undefined : body);
    return;
  }
  const file = await resolveFile(root, path);
  if (file === undefined) {
    response.writeHead(404, headers).end();
    return;
  }
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size === undefined) {
    response.writeHead(404, headers).end();
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    // Vite names assets by their hash; everything else may change with a new build.
    'cache-control': file.startsWith(join(root, 'assets') + sep)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (head) response.end();
  else createReadStream(file).pipe(response);
}

/**
 * The file a path names inside root, its real path checked to be inside root (a symbolic link
 * may not lead out), or undefined; index.html for app routes (no extension) and for the root itself.
 */
async function resolveFile(root: string, path: string): Promise<string | undefined> {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p.startsWith('.') || p.includes('\\') || p.includes('\0'))) {
    return undefined;
  }
  const candidate = join(root, ...parts);
  const real = await realpath(candidate).catch(() => undefined);
  if (real === undefined) {
    // An app route (no extension) is the page; a missing file is a 404.
    return extname(path) === '' ? join(root, 'index.html') : undefined;
  }
  if (real !== root && !real.startsWith(root + sep)) return undefined;
  const found = await stat(real);
  return found.isDirectory() ? join(root, 'index.html') : real;
}
