import {
  exportHistory,
  exportToImport,
  parseExport,
  sealBackup,
  totalSkipped,
  webRandom,
  type BackupBody,
  type BackupKdfParams,
  type InvitePolicy,
  type RoomId,
  type SignalSettings,
  type UserId,
} from '@kith/core';
import { DeviceError } from './errors.ts';
import type { KithDevice } from './kith-device.ts';

/** Engine settings kept in a backup beside the app's own data, under these keys. */
const ENGINE = 'engine';

/** What a restore brought back. */
export interface RestoreReport {
  readonly userId: UserId;
  readonly contacts: number;
  readonly settings: number;
  /** One per backed-up room: the new room its history went into. */
  readonly rooms: readonly {
    readonly from: string;
    readonly roomId: RoomId;
    readonly name: string;
    readonly imported: number;
    readonly skipped: number;
  }[];
}

/**
 * The device's backup (docs/PROTOCOL.md §6.4), sealed under `passphrase`: the user key,
 * contacts, the app's data and the engine's settings, and every room's history as a Kith
 * export. Only a device that holds the user key can make one (the user's first device, or
 * one restored from a backup).
 */
export async function backupDevice(
  device: KithDevice,
  passphrase: string,
  options: { readonly now: number; readonly kdf?: BackupKdfParams },
): Promise<Uint8Array> {
  const user = device.client.userIdentity;
  if (user === undefined) {
    throw new DeviceError(
      'NO_USER_KEY',
      "this device does not hold the user key: make the backup on the user's first device",
    );
  }
  const client = device.client;
  const settings: [string, string][] = (await device.appData.entries()).map(([key, json]) => [
    key.join('/'),
    json,
  ]);
  settings.push(
    [`${ENGINE}/invitePolicy`, JSON.stringify(client.invitePolicy)],
    [`${ENGINE}/blocked`, JSON.stringify(client.blockedUsers().map((b) => b.userId))],
    [`${ENGINE}/signals`, JSON.stringify(client.signals)],
  );
  const body: BackupBody = {
    createdAt: options.now,
    userSecretKey: user.keyPair.secretKey,
    deviceName: client.device.certificate.deviceName,
    contacts: device.contactLinks(),
    settings,
    rooms: client
      .rooms()
      .filter((r) => r.active)
      .map((r) => ({
        roomId: r.roomId,
        name: r.name,
        history: exportHistory({
          roomId: r.roomId,
          name: r.name,
          timeline: client.timeline(r.roomId),
        }),
      })),
  };
  return sealBackup(body, passphrase, webRandom, options.kdf);
}

/**
 * Puts a backup's contents into a device opened with its user key (`restoredUserKey`): the
 * contacts, the app's data (not what was kept per room: the rooms are new), the engine's
 * settings, and each room's history imported into a new room of the same name. Members of the
 * old rooms see a new device of the same user only once they add it (see the report).
 */
export async function restoreDevice(device: KithDevice, body: BackupBody): Promise<RestoreReport> {
  const client = device.client;
  const histories = body.rooms.map((r) => ({ room: r, parsed: parseExport(r.history) }));
  let contacts = 0;
  for (const link of body.contacts) {
    await device.addContact(link);
    contacts++;
  }
  const oldRooms = new Set(body.rooms.map((r) => r.roomId));
  let settings = 0;
  for (const [key, json] of body.settings) {
    const segments = key.split('/');
    if (segments.some((s) => oldRooms.has(s))) continue;
    if (segments[0] === ENGINE) await restoreEngineSetting(device, segments[1], json);
    else await device.appData.putText(json, ...segments);
    settings++;
  }
  const rooms: RestoreReport['rooms'][number][] = [];
  for (const { room, parsed } of histories) {
    const roomId = await device.createRoom({ name: room.name.slice(0, 60), members: [] });
    const plan = exportToImport(parsed);
    const report = await client.importHistory(roomId, plan.items);
    rooms.push({
      from: room.roomId,
      roomId,
      name: room.name,
      imported: report.imported,
      skipped: totalSkipped(plan.skipped) + totalSkipped(report.skipped),
    });
  }
  return { userId: client.userId, contacts, settings, rooms };
}

async function restoreEngineSetting(device: KithDevice, name: string | undefined, json: string) {
  const value = JSON.parse(json) as unknown;
  const client = device.client;
  if (name === 'invitePolicy') await client.setInvitePolicy(value as InvitePolicy);
  else if (name === 'blocked' && Array.isArray(value)) {
    for (const user of value as UserId[]) await client.blockUser(user);
  } else if (name === 'signals') await client.setSignals(value as Partial<SignalSettings>);
}
