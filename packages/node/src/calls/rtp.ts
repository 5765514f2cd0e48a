/** RTP payload type Kith's Node audio track uses for Opus (dynamic range, RFC 7587). */
export const OPUS_PAYLOAD_TYPE = 111;

/**
 * The payload of an RTP packet (RFC 3550 §5.1) of payload type `payloadType`, or undefined
 * for anything else (RTCP, which shares the port, another type, a truncated packet).
 */
export function rtpPayload(packet: Uint8Array, payloadType: number): Uint8Array | undefined {
  if (packet.length < 12) return undefined;
  const first = packet[0] ?? 0;
  const second = packet[1] ?? 0;
  if (first >> 6 !== 2 || (second & 0x7f) !== payloadType) return undefined;
  let offset = 12 + (first & 0x0f) * 4;
  if ((first & 0x10) !== 0) {
    // Header extension: 16-bit profile, 16-bit length in 32-bit words.
    if (packet.length < offset + 4) return undefined;
    const words = ((packet[offset + 2] ?? 0) << 8) | (packet[offset + 3] ?? 0);
    offset += 4 + words * 4;
  }
  let end = packet.length;
  if ((first & 0x20) !== 0) end -= packet[packet.length - 1] ?? 0;
  if (end < offset) return undefined;
  return packet.subarray(offset, end);
}
