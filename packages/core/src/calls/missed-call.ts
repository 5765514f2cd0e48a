import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { message, type MessageOptions } from '../content/builders.ts';
import { Disposition, type MimiContent, type NestedPart } from '../content/model.ts';
import { multiPart, textPart } from '../content/parts.ts';
import { CALL_ID_BYTES, type CallMedia } from './call-signal.ts';

/** Media type of Kith's call record part (a vendor tree type: no registration needed). */
export const CALL_RECORD_TYPE = 'application/vnd.kith.call+cbor';

/** Kith's call record, as a timeline message carries it (for now only missed calls). */
export interface CallRecord {
  readonly callId: Uint8Array;
  readonly media: CallMedia;
  readonly outcome: 'missed';
}

/** The fallback text, for services and versions that cannot join or show calls. */
function missedCallText(media: CallMedia): string {
  return media === 'video' ? 'Missed video call' : 'Missed voice call';
}

/**
 * The timeline entry of a call nobody answered, posted once by the caller's device: a MIMI
 * message whose body is a `chooseOne` multipart, Kith's call record (disposition `session`)
 * first, then plain text for any receiver that does not know the record's type.
 */
export function missedCallMessage(
  callId: Uint8Array,
  media: CallMedia,
  options: MessageOptions,
): MimiContent {
  const record: NestedPart = {
    disposition: Disposition.session,
    language: '',
    kind: 'single',
    contentType: CALL_RECORD_TYPE,
    content: encodeCbor([1, callId, media === 'video' ? 1 : 0, 0]),
  };
  return message(multiPart('chooseOne', [record, textPart(missedCallText(media))]), options);
}

const r = new ShapeReader((path, m) => new Error(`call record ${path}: ${m}`));

/** The call record of a message, or undefined when it carries none (or a malformed one). */
export function callRecordOf(content: MimiContent): CallRecord | undefined {
  const body = content.body;
  if (body.kind !== 'multi') return undefined;
  const part = body.parts.find((p) => p.kind === 'single' && p.contentType === CALL_RECORD_TYPE);
  if (part?.kind !== 'single') return undefined;
  try {
    const a = r.array(decodeCbor(part.content, { maxDepth: 1 }), '', 4);
    r.version(a[0], 1);
    const callId = r.bytes(a[1], 'callId', CALL_ID_BYTES);
    const media: CallMedia = r.uint(a[2], 'media', 1) === 1 ? 'video' : 'audio';
    r.uint(a[3], 'outcome', 0);
    return { callId, media, outcome: 'missed' };
  } catch {
    return undefined;
  }
}
