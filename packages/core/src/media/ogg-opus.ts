import { MediaError } from './media-errors.ts';

/** What a voice message's preview says of its audio, read from the Ogg Opus file itself. */
export interface AudioSummary {
  readonly durationMs: number;
  readonly channels: number;
  /** Relative loudness, `samples` values 0..255 evenly spread over the playing time. */
  readonly waveform: Uint8Array;
}

/** Largest Ogg Opus file summarised in memory (a voice message, not an album). */
export const MAX_VOICE_BYTES = 16 * 1024 * 1024;

/**
 * Duration and a waveform of an Ogg Opus file (RFC 7845), without decoding audio: the duration
 * from the last page's granule position less the pre-skip, the waveform from the sizes of the
 * Opus packets (a variable-bitrate encoder spends bytes where there is sound; silence costs a
 * few bytes a frame). A device that decodes audio (the web app) may send a true waveform instead.
 * A MediaError (AUDIO_INVALID) for anything that is not a well-formed Ogg Opus stream.
 */
export function oggOpusSummary(bytes: Uint8Array, samples = 64): AudioSummary {
  if (bytes.length > MAX_VOICE_BYTES) throw bad(`a ${bytes.length}-byte file is too large`);
  const packets: number[] = [];
  let head: Uint8Array | undefined;
  let granule = 0;
  let partial = 0;
  let serial: number | undefined;
  for (let at = 0; at < bytes.length;) {
    const page = readPage(bytes, at, serial);
    serial = page.serial;
    for (const lace of page.lacing) {
      partial += lace;
      if (lace === 255) continue; // the packet goes on
      head ??= bytes.subarray(page.body, page.body + partial);
      packets.push(partial);
      partial = 0;
    }
    if (page.granule >= 0) granule = page.granule;
    at = page.next;
  }
  if (head === undefined || packets.length < 2) throw bad('no Opus header and tags');
  const { channels, preSkip } = opusHead(head);
  const audio = packets.slice(2); // OpusHead, OpusTags
  const durationMs = Math.max(0, Math.round(((granule - preSkip) / 48_000) * 1000));
  return { durationMs, channels, waveform: waveformOf(audio, samples) };
}

interface Page {
  readonly serial: number;
  readonly granule: number;
  readonly lacing: Uint8Array;
  readonly body: number;
  readonly next: number;
}

function readPage(bytes: Uint8Array, at: number, serial: number | undefined): Page {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 27 > bytes.length) throw bad(`a page header cut off at byte ${at}`);
  if (String.fromCharCode(...bytes.subarray(at, at + 4)) !== 'OggS' || bytes[at + 4] !== 0) {
    throw bad(`no Ogg page at byte ${at}`);
  }
  const pageSerial = view.getUint32(at + 14, true);
  if (serial !== undefined && pageSerial !== serial) throw bad('more than one logical stream');
  const high = view.getInt32(at + 10, true);
  const low = view.getUint32(at + 6, true);
  // -1 means no packet ends on this page; a position past 2^53 is nonsense for a voice message.
  const granule = high === -1 && low === 0xffffffff ? -1 : high * 2 ** 32 + low;
  if (granule !== -1 && (high < 0 || !Number.isSafeInteger(granule)))
    throw bad('a bad granule position');
  const count = bytes[at + 26] ?? 0;
  const lacing = bytes.subarray(at + 27, at + 27 + count);
  if (lacing.length !== count) throw bad('a segment table cut off');
  const body = at + 27 + count;
  const next = body + lacing.reduce((a, b) => a + b, 0);
  if (next > bytes.length) throw bad('a page body cut off');
  return { serial: pageSerial, granule, lacing, body, next };
}

function opusHead(packet: Uint8Array): { channels: number; preSkip: number } {
  const magic = String.fromCharCode(...packet.subarray(0, 8));
  if (magic !== 'OpusHead' || packet.length < 19) throw bad('the first packet is not OpusHead');
  if ((packet[8] ?? 0) >> 4 !== 0) throw bad(`Ogg Opus version ${packet[8]}`);
  const channels = packet[9] ?? 0;
  if (channels < 1 || channels > 2) throw bad(`${channels} channels (voice is mono or stereo)`);
  return { channels, preSkip: (packet[10] ?? 0) | ((packet[11] ?? 0) << 8) };
}

/** Mean packet size per bucket, scaled so the loudest bucket is 255. */
function waveformOf(sizes: readonly number[], samples: number): Uint8Array {
  const n = Math.max(1, Math.min(samples, sizes.length));
  const sums = new Array<number>(n).fill(0);
  const counts = new Array<number>(n).fill(0);
  sizes.forEach((size, i) => {
    const bucket = Math.min(n - 1, Math.floor((i * n) / sizes.length));
    sums[bucket] = (sums[bucket] ?? 0) + size;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  });
  const means = sums.map((s, i) => s / Math.max(1, counts[i] ?? 1));
  const max = Math.max(1, ...means);
  return Uint8Array.from(means, (m) => Math.round((m / max) * 255));
}

function bad(why: string): MediaError {
  return new MediaError('AUDIO_INVALID', `not a usable Ogg Opus file: ${why}`);
}
