import { encodeCbor } from '../cbor/encode.ts';
import {
  signingKeyPairFromSecret,
  signWithContext,
  verifyWithContext,
  type SigningKeyPair,
} from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/hash.ts';
import { utf8 } from '../crypto/utf8.ts';
import { decodeAad } from '../group/epoch.ts';
import { decodeMessage } from '../group/group-helpers.ts';

/**
 * Mailbox keys (docs/PROTOCOL.md §12.1). A relay keeps a room's ciphertext for offline
 * members and must let only members write and read it, without learning who they are. Each
 * epoch gives every member the same Ed25519 key pair, derived from the MLS exporter, and the
 * epoch's mailbox on a relay is named by that public key: a request is signed by the key of
 * the mailbox it names, so nobody outside the epoch can write, read or claim it, and there is
 * nothing to vouch for from one epoch to the next (a member removed at the commit that started
 * an epoch never holds that epoch's key). Every signature names the relay it is for, so a
 * relay cannot replay a member's request to another relay.
 */
export const MAILBOX_EXPORTER_LABEL = 'kith mailbox write key';

const CONTEXT_PUT = 'kith/mailbox-put/v2';
const CONTEXT_PUT_MANY = 'kith/mailbox-put-many/v2';
const CONTEXT_READ = 'kith/mailbox-read/v2';

/**
 * The key of one epoch's mailbox, derived from the epoch's secrets: only members of the epoch hold
 * it.
 */
export interface MailboxKey {
  readonly epoch: bigint;
  /** The epoch on its branch (two branches of one epoch number have two mailboxes). */
  readonly epochId: Uint8Array;
  /** Its public key names the epoch's mailbox. */
  readonly keyPair: SigningKeyPair;
}

/** The epoch's mailbox key from its exported secret. */
export function mailboxKeyOf(
  epoch: bigint,
  epochId: Uint8Array,
  exportedSecret: Uint8Array,
): MailboxKey {
  return { epoch, epochId, keyPair: signingKeyPairFromSecret(exportedSecret) };
}

/**
 * The epoch ID an MLS message names in its authenticated data (§5): the epoch whose mailbox
 * it belongs in, so a commit goes where the members still on the epoch before it can read it.
 */
export function mailboxEpochOf(message: Uint8Array): Uint8Array | undefined {
  const decoded = decodeMessage(message);
  if (decoded?.wireformat === 'mls_private_message') {
    return decodeAad(decoded.privateMessage.authenticatedData)?.epochId;
  }
  if (decoded?.wireformat === 'mls_public_message') {
    return decodeAad(decoded.publicMessage.content.authenticatedData)?.epochId;
  }
  return undefined;
}

function putMessage(relay: string, data: Uint8Array): Uint8Array {
  return encodeCbor([relay, sha256(data)]);
}

function putManyMessage(relay: string, data: readonly Uint8Array[]): Uint8Array {
  return encodeCbor([relay, data.map((d) => sha256(d))]);
}

function readMessage(relay: string, after: bigint): Uint8Array {
  return encodeCbor([relay, after]);
}

/** Signs a message for the key's mailbox on `relay` (its peer ID). */
export function signMailboxPut(key: MailboxKey, relay: string, data: Uint8Array): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_PUT, putMessage(relay, data));
}

/** Whether the mailbox's key signed `data` for `relay` (what a relay checks before storing). */
export function verifyMailboxPut(
  mailbox: Uint8Array,
  relay: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verifyWithContext(mailbox, CONTEXT_PUT, putMessage(relay, data), signature);
}

/**
 * Signs several messages for the key's mailbox at once: one signature for the batch, so a
 * relay verifies one signature per request however many messages it carries.
 */
export function signMailboxPutMany(
  key: MailboxKey,
  relay: string,
  data: readonly Uint8Array[],
): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_PUT_MANY, putManyMessage(relay, data));
}

/** Whether the mailbox's key signed this batch for `relay`. */
export function verifyMailboxPutMany(
  mailbox: Uint8Array,
  relay: string,
  data: readonly Uint8Array[],
  signature: Uint8Array,
): boolean {
  return verifyWithContext(mailbox, CONTEXT_PUT_MANY, putManyMessage(relay, data), signature);
}

/** Proves to `relay` that the reader holds the mailbox's key. */
export function signMailboxRead(key: MailboxKey, relay: string, after: bigint): Uint8Array {
  return signWithContext(key.keyPair.secretKey, CONTEXT_READ, readMessage(relay, after));
}

/** Whether a read request comes from a holder of the mailbox's key, for `relay`. */
export function verifyMailboxRead(
  mailbox: Uint8Array,
  relay: string,
  after: bigint,
  signature: Uint8Array,
): boolean {
  return verifyWithContext(mailbox, CONTEXT_READ, readMessage(relay, after), signature);
}

/** The exporter context of mailbox keys (the exporter secret is already per group and epoch). */
export const MAILBOX_EXPORTER_CONTEXT: Uint8Array = utf8('kith/mailbox/v1');
