import type { PeerId } from '@libp2p/interface';
import {
  decodeMailboxResponse,
  encodeMailboxRequest,
  MailboxLimits,
  type KithClient,
  type MailboxKey,
  type MailboxRequest,
  type MailboxResponse,
  type RoomId,
} from '@kith/core';
import type { DeviceLibp2p } from '../net/device-libp2p.ts';
import { Protocols } from '../net/protocols.ts';
import { exchange, type ExchangeCodec, type ExchangeLimits } from '../net/request-response.ts';

/** Limits of the mailbox protocol: a request carries at most 1 MiB of messages. */
export const MAILBOX_EXCHANGE: ExchangeLimits = {
  maxRequestBytes: MailboxLimits.maxDataBytes + 4096,
  maxResponseBytes: MailboxLimits.maxResponseBytes + 64 * 1024,
  timeoutMs: 15_000,
};

const MAILBOX: ExchangeCodec<MailboxRequest, MailboxResponse> = {
  protocol: Protocols.mailbox,
  limits: MAILBOX_EXCHANGE,
  encode: encodeMailboxRequest,
  decode: decodeMailboxResponse,
};

/** One mailbox request to `relay` and its answer (docs/PROTOCOL.md §12). */
export function mailboxRequest(
  libp2p: DeviceLibp2p,
  relay: PeerId,
  request: MailboxRequest,
): Promise<MailboxResponse> {
  return exchange(libp2p, relay, MAILBOX, request);
}

/** A room's topic and the mailbox keys of the epochs this device keeps, oldest first. */
export interface RoomKeys {
  readonly roomId: RoomId;
  readonly topic: string;
  readonly keys: readonly MailboxKey[];
}

export async function roomKeysOf(
  client: KithClient,
  roomId: RoomId,
): Promise<RoomKeys | undefined> {
  const found = await client.mailboxKeys(roomId);
  return found === undefined ? undefined : { roomId, ...found };
}
