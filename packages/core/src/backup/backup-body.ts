import { CborError } from '../cbor/errors.ts';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { ImportLimits } from '../import/limits.ts';
import { BackupError } from './errors.ts';

/** One room in a backup: its ID and name then, and its history as a Kith export. */
export interface BackupRoom {
  readonly roomId: string;
  readonly name: string;
  /** The room's history in the Kith export format (`exportHistory`), checkable on restore. */
  readonly history: string;
}

/** What a backup holds (docs/PROTOCOL.md §6.4). */
export interface BackupBody {
  /** When the backup was made, ms since the epoch (the clock port's time). */
  readonly createdAt: number;
  /** The user's Ed25519 identity key (32-byte seed): whoever holds it is the user. */
  readonly userSecretKey: Uint8Array;
  /** The name the backed-up device had, for the device a restore creates. */
  readonly deviceName: string;
  /** Contacts as their contact links. */
  readonly contacts: readonly string[];
  /** The app's settings: key to a JSON value, as the app stores them. */
  readonly settings: readonly (readonly [string, string])[];
  readonly rooms: readonly BackupRoom[];
}

const BODY_VERSION = 1;
const MAX_CONTACTS = 10_000;
const MAX_ROOMS = 10_000;
const MAX_SETTINGS = 1_000;

const shape = new ShapeReader(
  (path, message) => new BackupError('BACKUP_MALFORMED', `body ${path}: ${message}`),
);

/**
 * `[1, createdAt, userSecretKey, deviceName, [link...], [[key, json]...],
 * [[roomId, name, history]...]]` in deterministic CBOR.
 */
export function encodeBackupBody(body: BackupBody): Uint8Array {
  const value: CborValue = [
    BODY_VERSION,
    body.createdAt,
    body.userSecretKey,
    body.deviceName,
    [...body.contacts],
    body.settings.map(([k, v]) => [k, v]),
    body.rooms.map((r) => [r.roomId, r.name, r.history]),
  ];
  return encodeCbor(value);
}

/** Reads what `encodeBackupBody` wrote; a BackupError for anything else. */
export function decodeBackupBody(bytes: Uint8Array): BackupBody {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 3 });
  } catch (cause) {
    if (!(cause instanceof CborError)) throw cause;
    throw new BackupError('BACKUP_MALFORMED', `body: ${cause.message}`, { cause });
  }
  const fields = shape.array(value, 'body');
  // The version first, so a newer body is reported as such whatever its length.
  shape.version(fields[0] ?? null, BODY_VERSION);
  const [, createdAt, key, deviceName, contacts, settings, rooms] = shape.array(value, 'body', 7);
  return {
    createdAt: shape.uint(createdAt ?? null, 'createdAt'),
    userSecretKey: shape.bytes(key ?? null, 'userSecretKey', 32),
    deviceName: shape.text(deviceName ?? null, 'deviceName', 256),
    contacts: shape.list(contacts ?? null, 'contacts', MAX_CONTACTS, (v, p) =>
      shape.text(v, p, 16 * 1024),
    ),
    settings: shape.list(settings ?? null, 'settings', MAX_SETTINGS, (v, p) => {
      const [k, json] = shape.array(v, p, 2);
      return [
        shape.text(k ?? null, `${p}.key`, 256),
        shape.text(json ?? null, `${p}.value`, 64 * 1024),
      ] as const;
    }),
    rooms: shape.list(rooms ?? null, 'rooms', MAX_ROOMS, (v, p) => {
      const [roomId, name, history] = shape.array(v, p, 3);
      return {
        roomId: shape.text(roomId ?? null, `${p}.roomId`, 256),
        name: shape.text(name ?? null, `${p}.name`, 1024),
        history: shape.text(history ?? null, `${p}.history`, ImportLimits.maxExportBytes),
      };
    }),
  };
}
