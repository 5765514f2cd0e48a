import { decodeContent } from '../content/codec.ts';
import { contentMessageId, type MessageId } from '../content/message-id.ts';
import type { MimiContent } from '../content/model.ts';
import { bytesEqual, fromHex } from '../crypto/bytes.ts';
import { fromBase64 } from './base64.ts';
import { ExportError } from './errors.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export.ts';
import { asObject, countField, field, stringField, type JsonObject } from './json-read.ts';
import { ImportLimits } from './limits.ts';

/** A checked record of a Kith history export. */
export interface ExportRecord {
  readonly messageId: MessageId;
  readonly sender: string;
  readonly ts: number;
  readonly content: MimiContent;
  /** Reaction text and the user URIs who reacted with it. */
  readonly reactions: readonly (readonly [string, readonly string[]])[];
}

/** A history export read and checked: its room URI, its name, and its records in order. */
export interface ParsedExport {
  readonly room: string;
  readonly name?: string;
  readonly records: readonly ExportRecord[];
}

const MAX_URI = 1024;
const MAX_CONTENT_BASE64 = 96 * 1024;

/**
 * Reads a Kith history export (see `exportHistory`) and checks every record: the content is
 * valid MIMI content, and hashes with its sender and the header's room to its message ID.
 * Anything else throws an ExportError naming the line. Blank lines are ignored.
 */
export function parseExport(text: string): ParsedExport {
  if (text.length > ImportLimits.maxExportBytes) {
    throw new ExportError('EXPORT_TOO_LARGE', 0, 'the export is too large');
  }
  const lines = text.split('\n');
  const header = asObject(json(lines[0] ?? '', 1));
  if (field(header, 'format') !== EXPORT_FORMAT) {
    throw new ExportError('EXPORT_NOT_KITH', 1, `not a ${EXPORT_FORMAT} export`);
  }
  if (field(header, 'version') !== EXPORT_VERSION) {
    throw new ExportError(
      'EXPORT_UNSUPPORTED_VERSION',
      1,
      `version ${String(field(header, 'version'))} (this reads version ${EXPORT_VERSION})`,
    );
  }
  const room = stringField(header, 'room', MAX_URI);
  if (room === undefined) throw new ExportError('EXPORT_MALFORMED', 1, 'room: a URI expected');
  const name = stringField(header, 'name', 1024);
  const records: ExportRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    if (records.length >= ImportLimits.maxEvents) {
      throw new ExportError(
        'EXPORT_TOO_LARGE',
        i + 1,
        `more than ${ImportLimits.maxEvents} records`,
      );
    }
    records.push(record(line, i + 1, room));
  }
  return { room, ...(name === undefined ? {} : { name }), records };
}

function record(line: string, n: number, room: string): ExportRecord {
  const o = asObject(json(line, n));
  const id = fromHex(stringField(o, 'id', 64) ?? '');
  const sender = stringField(o, 'sender', MAX_URI);
  const ts = countField(o, 'ts');
  const encoded = fromBase64(stringField(o, 'content', MAX_CONTENT_BASE64) ?? '');
  if (id?.length !== 32) throw bad(n, 'id: the hex of a 32-byte message ID expected');
  if (sender === undefined) throw bad(n, 'sender: a user URI expected');
  if (ts === undefined) throw bad(n, 'ts: a time in milliseconds expected');
  if (encoded === undefined) throw bad(n, 'content: base64 expected');
  let content: MimiContent;
  let messageId: MessageId;
  try {
    content = decodeContent(encoded);
    messageId = contentMessageId(encoded, sender, room);
  } catch (cause) {
    throw new ExportError('EXPORT_MISMATCH', n, 'content: not valid MIMI content', { cause });
  }
  if (!bytesEqual(messageId, id)) {
    throw new ExportError('EXPORT_MISMATCH', n, 'id: not the message ID of this content');
  }
  return {
    messageId,
    sender,
    ts,
    content,
    reactions: reactions(asObject(field(o, 'reactions')), n),
  };
}

function reactions(o: JsonObject | undefined, n: number): [string, string[]][] {
  if (o === undefined) return [];
  const out: [string, string[]][] = [];
  for (const [text, users] of Object.entries(o)) {
    if (
      !Array.isArray(users) ||
      !users.every((u) => typeof u === 'string' && u.length <= MAX_URI)
    ) {
      throw bad(n, 'reactions: lists of user URIs expected');
    }
    if (text.length > 64) throw bad(n, 'reactions: a reaction is at most 64 characters');
    out.push([text, users as string[]]);
  }
  return out;
}

function json(line: string, n: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (cause) {
    throw new ExportError('EXPORT_MALFORMED', n, 'not a JSON line', { cause });
  }
}

function bad(n: number, message: string): ExportError {
  return new ExportError('EXPORT_MALFORMED', n, message);
}
