// Loaded by every one-shot `kith METHOD`: Node built-ins only, nothing of the engine.
import { request as httpRequest } from 'node:http';
import { readCredentials } from '../daemon/credentials.ts';
import type { RpcError } from '../daemon/rpc-errors.ts';

/** No device process (daemon or chat) answers for the data directory. */
class NoDeviceError extends Error {
  override readonly name = 'NoDeviceError';
  readonly code = 'NO_DAEMON';
}

/** A JSON-RPC error answered by the daemon. */
class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  readonly code: number;
  readonly kithCode: string | undefined;

  constructor(error: RpcError) {
    super(error.message);
    this.code = error.code;
    this.kithCode = error.data?.kithCode;
  }
}

/** Calls the device process (a daemon or a chat) running on `dataDir`. */
export async function callDaemon(
  dataDir: string,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const credentials = await readCredentials(dataDir);
  if (credentials === undefined) {
    throw new NoDeviceError(
      `no daemon or chat is running for ${dataDir}: start one with \`kith --data-dir ${dataDir} daemon\` (or open the chat)`,
    );
  }
  let body: string;
  try {
    body = await post(credentials.port, credentials.token, {
      jsonrpc: '2.0',
      id: 1,
      method,
      params,
    });
  } catch (cause) {
    throw new NoDeviceError(
      `the daemon or chat for ${dataDir} does not answer on port ${credentials.port}: is it still running?`,
      { cause },
    );
  }
  const reply = JSON.parse(body) as { result?: unknown; error?: RpcError };
  if (reply.error !== undefined) throw new RpcCallError(reply.error);
  return reply.result;
}

/**
 * One POST on loopback. node:http rather than fetch: fetch loads undici, which costs a one-shot
 * call more than everything else it does.
 */
function post(port: number, token: string, request: unknown): Promise<string> {
  const payload = Buffer.from(JSON.stringify(request));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
