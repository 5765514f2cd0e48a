import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { signWithContext, verifyWithContext } from '../crypto/ed25519.ts';
import { SyncError } from '../sync/errors.ts';

/**
 * A relay's per-device inboxes (docs/PROTOCOL.md §12.4): direct frames (Welcomes) for a device
 * that is offline wait at the relay until it fetches and acknowledges them. Each item is signed
 * by the sending device, so the receiver knows who sent it as surely as over a direct stream.
 */
export interface InboxItem {
  readonly to: Uint8Array;
  readonly from: Uint8Array;
  readonly frame: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * What a device asks of a relay's inbox: leave an item for another device, fetch its own, or
 * acknowledge them.
 */
export type InboxRequest =
  | { readonly type: 'deposit'; readonly item: InboxItem }
  /** The asking device's waiting items, oldest first. */
  | { readonly type: 'fetch' }
  /** Deletes items the asking device has handled. */
  | { readonly type: 'ack'; readonly ids: readonly bigint[] };

/** A relay's answer to an inbox request. */
export type InboxResponse =
  | { readonly type: 'ok' }
  | { readonly type: 'items'; readonly items: readonly { id: bigint; item: InboxItem }[] }
  | { readonly type: 'refused'; readonly message: string };

/** Sizes a relay's inbox enforces: frame bytes, items waiting per device, items per fetch. */
export const InboxLimits = {
  maxFrameBytes: 256 * 1024,
  maxItemsPerInbox: 100,
  maxFetch: 50,
} as const;

const CONTEXT = 'kith/inbox-item/v1';
const VERSION = 1;
const REQUESTS = ['deposit', 'fetch', 'ack'] as const;
const RESPONSES = ['ok', 'items', 'refused'] as const;

const r: ShapeReader = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `inbox ${path}: ${message}`),
);

/** An inbox item from the device holding `secretKey` (public key `from`) to device `to`. */
export function signInboxItem(
  secretKey: Uint8Array,
  from: Uint8Array,
  to: Uint8Array,
  frame: Uint8Array,
): InboxItem {
  return {
    to,
    from,
    frame,
    signature: signWithContext(secretKey, CONTEXT, encodeCbor([to, frame])),
  };
}

/** Whether `from` signed this item for `to` (never throws). */
export function verifyInboxItem(item: InboxItem): boolean {
  return verifyWithContext(item.from, CONTEXT, encodeCbor([item.to, item.frame]), item.signature);
}

const itemCbor = (i: InboxItem): CborValue => [i.to, i.from, i.frame, i.signature];

function readItem(v: CborValue, p: string): InboxItem {
  const [to, from, frame, signature] = r.array(v, p, 4);
  return {
    to: r.bytes(to, `${p}.to`, 32),
    from: r.bytes(from, `${p}.from`, 32),
    frame: r.bytes(frame, `${p}.frame`),
    signature: r.bytes(signature, `${p}.signature`, 64),
  };
}

/** The wire form of an inbox request (deterministic CBOR). */
export function encodeInboxRequest(request: InboxRequest): Uint8Array {
  const head = [VERSION, REQUESTS.indexOf(request.type)];
  switch (request.type) {
    case 'deposit':
      return encodeCbor([...head, itemCbor(request.item)]);
    case 'fetch':
      return encodeCbor(head);
    case 'ack':
      return encodeCbor([...head, [...request.ids]]);
  }
}

/** Reads an inbox request; SyncError SYNC_MALFORMED for anything else. */
export function decodeInboxRequest(bytes: Uint8Array): InboxRequest {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = REQUESTS[r.uint(a[1], 'type', REQUESTS.length - 1)];
  switch (type) {
    case 'deposit':
      r.array(a, '', 3);
      return { type, item: readItem(a[2], 'item') };
    case 'fetch':
      r.array(a, '', 2);
      return { type };
    case 'ack':
      r.array(a, '', 3);
      return {
        type,
        ids: r.list(a[2], 'ids', InboxLimits.maxItemsPerInbox, (v, p) => r.biguint(v, p)),
      };
    default:
      return r.fail('type', 'unknown request');
  }
}

/** The wire form of an inbox response. */
export function encodeInboxResponse(response: InboxResponse): Uint8Array {
  const head = [VERSION, RESPONSES.indexOf(response.type)];
  switch (response.type) {
    case 'ok':
      return encodeCbor(head);
    case 'items':
      return encodeCbor([...head, response.items.map((x): CborValue => [x.id, itemCbor(x.item)])]);
    case 'refused':
      return encodeCbor([...head, response.message]);
  }
}

/** Reads an inbox response; SyncError SYNC_MALFORMED for anything else. */
export function decodeInboxResponse(bytes: Uint8Array): InboxResponse {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = RESPONSES[r.uint(a[1], 'type', RESPONSES.length - 1)];
  switch (type) {
    case 'ok':
      return { type };
    case 'items':
      r.array(a, '', 3);
      return {
        type,
        items: r.list(a[2], 'items', InboxLimits.maxFetch, (v, p) => {
          const [id, item] = r.array(v, p, 2);
          return { id: r.biguint(id, `${p}.id`), item: readItem(item, `${p}.item`) };
        }),
      };
    case 'refused':
      r.array(a, '', 3);
      return { type, message: r.text(a[2], 'message') };
    default:
      return r.fail('type', 'unknown response');
  }
}

function decode(bytes: Uint8Array): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: 5 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'inbox message is not deterministic CBOR', { cause });
  }
}
