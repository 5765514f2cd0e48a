import { encodeCbor } from '../cbor/encode.ts';
import {
  signingKeyPairFromSecret,
  signWithContext,
  verifyWithContext,
  type SigningKeyPair,
} from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/hash.ts';
import { utf8 } from '../crypto/utf8.ts';

/**
 * Mailbox write capabilities (docs/PROTOCOL.md §12). A relay keeps a room's ciphertext under
 * its topic for offline members, and must accept writes only from members without learning
 * who they are. Each epoch gives every member the same Ed25519 key, derived from the MLS
 * exporter; the relay knows only public keys, and a key of epoch n authorizes the key of
 * epoch n + 1. A stranger holds no key; a removed member stops getting new ones.
 */
export const MAILBOX_EXPORTER_LABEL = 'kith mailbox write key';

const CONTEXT_PUT = 'kith/mailbox-put/v1';
const CONTEXT_PUT_MANY = 'kith/mailbox-put-many/v1';
const CONTEXT_AUTHORIZE = 'kith/mailbox-authorize/v1';
const CONTEXT_READ = 'kith/mailbox-read/v1';

export interface MailboxKey {
  readonly epoch: bigint;
  readonly keyPair: SigningKeyPair;
}

/** The epoch's mailbox key from its exported secret. */
export function mailboxKeyOf(epoch: bigint, exportedSecret: Uint8Array): MailboxKey {
  return { epoch, keyPair: signingKeyPairFromSecret(exportedSecret) };
}

function putMessage(topic: string, data: Uint8Array): Uint8Array {
  return encodeCbor([topic, sha256(data)]);
}

function putManyMessage(topic: string, data: readonly Uint8Array[]): Uint8Array {
  return encodeCbor([topic, data.map((d) => sha256(d))]);
}

function authorizeMessage(topic: string, epoch: bigint, publicKey: Uint8Array): Uint8Array {
  return encodeCbor([topic, epoch, publicKey]);
}

function readMessage(topic: string, after: bigint): Uint8Array {
  return encodeCbor([topic, after]);
}

/** Signs a message for the topic's mailbox. */
export function signMailboxPut(key: MailboxKey, topic: string, data: Uint8Array): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_PUT, putMessage(topic, data));
}

export function verifyMailboxPut(
  publicKey: Uint8Array,
  topic: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verifyWithContext(publicKey, CONTEXT_PUT, putMessage(topic, data), signature);
}

/**
 * Signs several messages for the topic's mailbox at once: one signature for the batch, so a
 * relay verifies one signature per request however many messages it carries.
 */
export function signMailboxPutMany(
  key: MailboxKey,
  topic: string,
  data: readonly Uint8Array[],
): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_PUT_MANY, putManyMessage(topic, data));
}

export function verifyMailboxPutMany(
  publicKey: Uint8Array,
  topic: string,
  data: readonly Uint8Array[],
  signature: Uint8Array,
): boolean {
  return verifyWithContext(publicKey, CONTEXT_PUT_MANY, putManyMessage(topic, data), signature);
}

/** `by` (a key the relay already accepts) vouches for the key of a later epoch. */
export function signMailboxAuthorization(
  by: MailboxKey,
  topic: string,
  next: { readonly epoch: bigint; readonly publicKey: Uint8Array },
): Uint8Array {
  return signWithContext(
    by.keyPair.secretKey,
    CONTEXT_AUTHORIZE,
    authorizeMessage(topic, next.epoch, next.publicKey),
  );
}

export function verifyMailboxAuthorization(
  byPublicKey: Uint8Array,
  topic: string,
  next: { readonly epoch: bigint; readonly publicKey: Uint8Array },
  signature: Uint8Array,
): boolean {
  return verifyWithContext(
    byPublicKey,
    CONTEXT_AUTHORIZE,
    authorizeMessage(topic, next.epoch, next.publicKey),
    signature,
  );
}

/**
 * Proves that a reader holds a key of the topic. It travels inside the reader's encrypted
 * connection to the relay, so only the relay could replay it, to itself.
 */
export function signMailboxRead(key: MailboxKey, topic: string, after: bigint): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_READ, readMessage(topic, after));
}

export function verifyMailboxRead(
  publicKey: Uint8Array,
  topic: string,
  after: bigint,
  signature: Uint8Array,
): boolean {
  return verifyWithContext(publicKey, CONTEXT_READ, readMessage(topic, after), signature);
}

/** The exporter context of mailbox keys (the exporter secret is already per group and epoch). */
export const MAILBOX_EXPORTER_CONTEXT: Uint8Array = utf8('kith/mailbox/v1');
