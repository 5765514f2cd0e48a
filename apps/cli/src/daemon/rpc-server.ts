import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KithApp } from '../app/kith-app.ts';
import { isMethodName, METHOD_SPECS } from '../rpc/method-specs.ts';
import { EventStream } from './event-stream.ts';
import { handlers } from './methods.ts';
import { Params } from './params.ts';
import { RpcErrorCodes, toRpcError, type RpcError } from './rpc-errors.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface RpcServer {
  readonly port: number;
  close(): Promise<void>;
}

type Reply = { jsonrpc: '2.0'; id: unknown } & ({ result: unknown } | { error: RpcError });

/**
 * JSON-RPC 2.0 over HTTP on loopback only, and `GET /events` (Server-Sent Events). Every
 * request must carry `Authorization: Bearer <token>`; anything else gets 401 and nothing runs.
 * Batches are answered in order.
 */
export async function startRpcServer(
  app: KithApp,
  port: number,
  token: string,
): Promise<RpcServer> {
  const expected = Buffer.from(`Bearer ${token}`);
  const events = new EventStream(app);
  const server: Server = createServer((request, response) => {
    void handle(app, events, expected, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function handle(
  app: KithApp,
  events: EventStream,
  expected: Buffer,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const given = Buffer.from(request.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    const message =
      'missing or wrong token: send "Authorization: Bearer <contents of DIR/rpc-token>"';
    send(response, 401, errorReply(null, { code: RpcErrorCodes.unauthorized, message }));
    request.resume();
    return;
  }
  if (request.method === 'GET' && request.url === '/events') {
    events.serve(response);
    request.resume();
    return;
  }
  if (request.method !== 'POST') {
    const message = 'use POST with a JSON-RPC 2.0 body';
    send(response, 405, errorReply(null, { code: RpcErrorCodes.invalidRequest, message }));
    request.resume();
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (error) {
    const message = error instanceof Error ? error.message : 'not JSON';
    send(response, 200, errorReply(null, { code: RpcErrorCodes.parseError, message }));
    return;
  }
  if (Array.isArray(body)) {
    if (body.length === 0) {
      const message = 'an empty batch';
      send(response, 200, errorReply(null, { code: RpcErrorCodes.invalidRequest, message }));
      return;
    }
    const replies: Reply[] = [];
    for (const item of body) {
      const reply = await call(app, item);
      if (reply !== undefined) replies.push(reply);
    }
    if (replies.length === 0) end(response, 204);
    else send(response, 200, replies);
    return;
  }
  const reply = await call(app, body);
  if (reply === undefined) end(response, 204);
  else send(response, 200, reply);
}

/** Runs one request; undefined for a notification (no id), which gets no reply. */
async function call(app: KithApp, request: unknown): Promise<Reply | undefined> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return errorReply(null, {
      code: RpcErrorCodes.invalidRequest,
      message: 'not a request object',
    });
  }
  const r = request as Record<string, unknown>;
  const id = r['id'] ?? null;
  const validId = id === null || typeof id === 'string' || typeof id === 'number';
  if (r['jsonrpc'] !== '2.0' || typeof r['method'] !== 'string' || !validId) {
    const message = 'a request needs jsonrpc "2.0", a method name and a string or number id';
    return errorReply(validId ? id : null, { code: RpcErrorCodes.invalidRequest, message });
  }
  const notification = !('id' in r);
  const name = r['method'];
  let reply: Reply;
  if (!isMethodName(name)) {
    const message = `no method "${name}": see \`kith --help\` for the list`;
    reply = errorReply(id, { code: RpcErrorCodes.methodNotFound, message });
  } else {
    try {
      const params = Params.checked(METHOD_SPECS[name], r['params']);
      reply = { jsonrpc: '2.0', id, result: await handlers[name](app, params) };
    } catch (error) {
      reply = errorReply(id, toRpcError(error));
    }
  }
  return notification ? undefined : reply;
}

function errorReply(id: unknown, error: RpcError): Reply {
  return { jsonrpc: '2.0', id, error };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the request is larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

function end(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}
