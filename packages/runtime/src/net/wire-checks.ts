import { decodeDirectFrame } from '@kith/core';

/**
 * Whether topic data can be an MLS message as Kith publishes them: protocol version mls10
 * (0x0001) and wire format PublicMessage (1) or PrivateMessage (2). Cheap on purpose: it runs
 * before gossipsub forwards anything, and the engine checks the message for real.
 */
export function looksLikeMlsMessage(data: Uint8Array): boolean {
  return (
    data.length >= 8 &&
    data[0] === 0 &&
    data[1] === 1 &&
    data[2] === 0 &&
    (data[3] === 1 || data[3] === 2)
  );
}

/** Whether a direct frame decodes as an engine frame (a peer sending garbage is cut off). */
export function isDirectFrame(data: Uint8Array): boolean {
  try {
    decodeDirectFrame(data);
    return true;
  } catch {
    return false;
  }
}
