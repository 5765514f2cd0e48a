import {
  decodeMlsMessage,
  encodeMlsMessage,
  type MLSMessage,
  type PrivateMessage,
  type PublicMessage,
  type Welcome,
} from 'ts-mls';
import { concatBytes } from '../../packages/core/src/crypto/bytes.ts';

// MLSMessage framing (RFC 9420, 6): ProtocolVersion mls10 = 1, WireFormat mls_key_package = 5.
const KEY_PACKAGE_MESSAGE_HEADER = Uint8Array.of(0x00, 0x01, 0x00, 0x05);

/**
 * core-crypto hands out and takes bare KeyPackage structs; Kith's key-package codec speaks the
 * MLSMessage that frames one.
 */
export function frameKeyPackage(bare: Uint8Array): Uint8Array {
  return concatBytes(KEY_PACKAGE_MESSAGE_HEADER, bare);
}

export function unframeKeyPackage(message: Uint8Array): Uint8Array {
  const header = message.subarray(0, KEY_PACKAGE_MESSAGE_HEADER.length);
  if (!header.every((b, i) => b === KEY_PACKAGE_MESSAGE_HEADER[i])) {
    throw new Error('not an MLSMessage carrying a key package');
  }
  return message.subarray(KEY_PACKAGE_MESSAGE_HEADER.length);
}

function decodeWhole(bytes: Uint8Array): MLSMessage {
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded?.[1] !== bytes.length) throw new Error('not one whole MLSMessage');
  return decoded[0];
}

export function welcomeOf(bytes: Uint8Array): Welcome {
  const message = decodeWhole(bytes);
  if (message.wireformat !== 'mls_welcome') throw new Error(`${message.wireformat}, not a Welcome`);
  return message.welcome;
}

export function privateMessageOf(bytes: Uint8Array): PrivateMessage {
  const message = decodeWhole(bytes);
  if (message.wireformat !== 'mls_private_message') {
    throw new Error(`${message.wireformat}, not a PrivateMessage`);
  }
  return message.privateMessage;
}

export function publicMessageOf(bytes: Uint8Array): PublicMessage {
  const message = decodeWhole(bytes);
  if (message.wireformat !== 'mls_public_message') {
    throw new Error(`${message.wireformat}, not a PublicMessage`);
  }
  return message.publicMessage;
}

export function encodePrivateMessage(privateMessage: PrivateMessage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
}

export function encodeWelcome(welcome: Welcome): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome });
}
