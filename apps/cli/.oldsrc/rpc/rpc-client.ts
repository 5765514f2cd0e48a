import { AppError } from '../app/app-error.ts';
import { readCredentials } from '../daemon/credentials.ts';
import type { RpcError } from '../daemon/rpc-errors.ts';

/** A JSON-RPC error answered by the daemon. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  readonly code: number;
  readonly kithCode: string | undefined;

  constructor(error: RpcError) {
    super(error.message);
    this.code = error.code;
    this.kithCode = error.data?.kithCode;
  }
}

/** Calls the daemon running on `dataDir`. */
export async function callDaemon(
  dataDir: string,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const credentials = await readCredentials(dataDir);
  if (credentials === undefined) {
    throw new AppError(
      'NO_DAEMON',
      `no daemon is running for ${dataDir}: start one with \`kith --data-dir ${dataDir} daemon\``,
    );
  }
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${credentials.port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${credentials.token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  } catch (cause) {
    throw new AppError(
      'NO_DAEMON',
      `the daemon for ${dataDir} does not answer on port ${credentials.port}: is it still running?`,
      { cause },
    );
  }
  const reply = (await response.json()) as { result?: unknown; error?: RpcError };
  if (reply.error !== undefined) throw new RpcCallError(reply.error);
  return reply.result;
}
