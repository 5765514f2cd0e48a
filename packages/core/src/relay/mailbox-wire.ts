import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { SyncError } from '../sync/errors.ts';

/**
 * Requests and responses of a relay's mailbox protocol (docs/PROTOCOL.md §12.2): CBOR arrays
 * `[2, type, mailbox, ...fields]`. A mailbox is named by its epoch's mailbox public key
 * (`mailbox.ts`), and every request that touches its content is signed by that key; the relay
 * checks signatures, never content.
 */
export type MailboxRequest =
  | {
      readonly type: 'put';
      readonly mailbox: Uint8Array;
      readonly data: Uint8Array;
      readonly signature: Uint8Array;
    }
  /** Several messages at once (1 to 64) under one signature: one request instead of many. */
  | {
      readonly type: 'putMany';
      readonly mailbox: Uint8Array;
      readonly data: readonly Uint8Array[];
      readonly signature: Uint8Array;
    }
  /** Messages with a sequence number above `after`, oldest first. */
  | {
      readonly type: 'fetch';
      readonly mailbox: Uint8Array;
      readonly after: bigint;
      readonly limit: number;
      readonly signature: Uint8Array;
    }
  /** The mailbox's next sequence number (1 for one nobody wrote to). */
  | { readonly type: 'status'; readonly mailbox: Uint8Array };

/** Why a relay refused a mailbox request. */
export type MailboxRefusal =
  'MALFORMED' | 'UNAUTHORIZED' | 'QUOTA_EXCEEDED' | 'RATE_LIMITED' | 'TOO_LARGE';

/** A relay's answer to a mailbox request. */
export type MailboxResponse =
  | { readonly type: 'ok'; readonly seq: bigint }
  | {
      readonly type: 'messages';
      readonly messages: readonly { readonly seq: bigint; readonly data: Uint8Array }[];
      /** More messages wait after the last one returned. */
      readonly more: boolean;
    }
  | { readonly type: 'status'; readonly nextSeq: bigint }
  | { readonly type: 'refused'; readonly code: MailboxRefusal; readonly message: string };

/** Sizes a relay's mailboxes enforce per request. */
export const MailboxLimits = {
  maxDataBytes: 1024 * 1024,
  maxFetch: 500,
  /** Messages in one putMany. */
  maxPutMany: 64,
  /** A fetch response stops adding messages past this size. */
  maxResponseBytes: 4 * 1024 * 1024,
} as const;

const VERSION = 2;
const REQUESTS = ['put', 'fetch', 'status', 'putMany'] as const;
const RESPONSES = ['ok', 'messages', 'status', 'refused'] as const;
const REFUSALS: readonly MailboxRefusal[] = [
  'MALFORMED',
  'UNAUTHORIZED',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'TOO_LARGE',
];

const r: ShapeReader = new ShapeReader(
  (path, message) => new SyncError('SYNC_MALFORMED', `mailbox ${path}: ${message}`),
);

/** The wire form of a mailbox request (deterministic CBOR). */
export function encodeMailboxRequest(request: MailboxRequest): Uint8Array {
  const head = [VERSION, REQUESTS.indexOf(request.type), request.mailbox];
  switch (request.type) {
    case 'put':
      return encodeCbor([...head, request.data, request.signature]);
    case 'fetch':
      return encodeCbor([...head, request.after, request.limit, request.signature]);
    case 'status':
      return encodeCbor(head);
    case 'putMany':
      return encodeCbor([...head, [...request.data], request.signature]);
  }
}

/** Throws SyncError SYNC_MALFORMED for anything but a well-formed request. */
export function decodeMailboxRequest(bytes: Uint8Array): MailboxRequest {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = REQUESTS[r.uint(a[1], 'type', REQUESTS.length - 1)];
  const mailbox = r.bytes(a[2], 'mailbox', 32);
  const signature = (v: CborValue): Uint8Array => r.bytes(v, 'signature', 64);
  switch (type) {
    case 'put':
      r.array(a, '', 5);
      return { type, mailbox, data: r.bytes(a[3], 'data'), signature: signature(a[4]) };
    case 'fetch':
      r.array(a, '', 6);
      return {
        type,
        mailbox,
        after: r.biguint(a[3], 'after'),
        limit: r.uint(a[4], 'limit', MailboxLimits.maxFetch),
        signature: signature(a[5]),
      };
    case 'status':
      r.array(a, '', 3);
      return { type, mailbox };
    case 'putMany': {
      r.array(a, '', 5);
      const data = r.list(a[3], 'data', MailboxLimits.maxPutMany, (v, p) => r.bytes(v, p));
      if (data.length === 0) return r.fail('data', 'at least one');
      return { type, mailbox, data, signature: signature(a[4]) };
    }
    default:
      return r.fail('type', 'unknown request');
  }
}

/** The wire form of a mailbox response. */
export function encodeMailboxResponse(response: MailboxResponse): Uint8Array {
  const head = [VERSION, RESPONSES.indexOf(response.type)];
  switch (response.type) {
    case 'ok':
      return encodeCbor([...head, response.seq]);
    case 'messages':
      return encodeCbor([
        ...head,
        response.messages.map((m): CborValue => [m.seq, m.data]),
        response.more,
      ]);
    case 'status':
      return encodeCbor([...head, response.nextSeq]);
    case 'refused':
      return encodeCbor([...head, REFUSALS.indexOf(response.code), response.message]);
  }
}

/** Reads a mailbox response; SyncError SYNC_MALFORMED for anything else. */
export function decodeMailboxResponse(bytes: Uint8Array): MailboxResponse {
  const a = r.array(decode(bytes), '');
  r.version(a[0], VERSION);
  const type = RESPONSES[r.uint(a[1], 'type', RESPONSES.length - 1)];
  switch (type) {
    case 'ok':
      r.array(a, '', 3);
      return { type, seq: r.biguint(a[2], 'seq') };
    case 'messages':
      r.array(a, '', 4);
      return {
        type,
        messages: r.list(a[2], 'messages', MailboxLimits.maxFetch, (v, p) => {
          const [seq, data] = r.array(v, p, 2);
          return { seq: r.biguint(seq, `${p}.seq`), data: r.bytes(data, `${p}.data`) };
        }),
        more: r.bool(a[3], 'more'),
      };
    case 'status':
      r.array(a, '', 3);
      return { type, nextSeq: r.biguint(a[2], 'nextSeq') };
    case 'refused': {
      r.array(a, '', 4);
      const code = REFUSALS[r.uint(a[2], 'code', REFUSALS.length - 1)] ?? 'MALFORMED';
      return { type, code, message: r.text(a[3], 'message') };
    }
    default:
      return r.fail('type', 'unknown response');
  }
}

function decode(bytes: Uint8Array): CborValue {
  if (bytes.length > MailboxLimits.maxResponseBytes + 1024) {
    throw new SyncError('SYNC_MALFORMED', 'mailbox message too large');
  }
  try {
    return decodeCbor(bytes, { maxDepth: 4 });
  } catch (cause) {
    throw new SyncError('SYNC_MALFORMED', 'mailbox message is not deterministic CBOR', { cause });
  }
}
