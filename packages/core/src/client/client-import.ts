import type { RoomId } from '../ids.ts';
import { countSkip, type ImportItem, type SkipCounts } from '../import/item.ts';
import { batchFull, ImportMaterializer } from '../import/materialize.ts';
import type { Capability } from '../room/capabilities.ts';
import { can } from '../room/room-state.ts';
import { sessionOf, type DeviceContext } from './device-context.ts';
import { roomUri, userUri } from '../timeline/uris.ts';
import { ClientError } from './errors.ts';

/** What `KithClient.importHistory` did. */
export interface ImportReport {
  /** Items written to the room. */
  readonly imported: number;
  /** Items not written, by reason (a target not written, a capability the role lacks). */
  readonly skipped: SkipCounts;
}

/** Called after each signed update of an import: items handled so far, of `total`. */
export type ImportProgress = (done: number, total: number) => void;

/**
 * Writes a whole import as batches, each its own turn of the client (`run`), so other work goes
 * on between them; reports progress after each.
 */
export async function importAll(
  d: DeviceContext,
  run: <T>(task: () => Promise<T>) => Promise<T>,
  job: { roomId: RoomId; items: readonly ImportItem[]; onProgress?: ImportProgress | undefined },
): Promise<ImportReport> {
  const { roomId, items } = job;
  const materializer = new ImportMaterializer({
    senderUri: userUri(d.device.userId),
    roomUri: roomUri(roomId),
    salt: () => d.random.bytes(16),
  });
  const skipped: SkipCounts = {};
  let done = 0;
  let imported = 0;
  while (done < items.length) {
    const start = done;
    const batch = await run(() => importBatch(d, roomId, materializer, items, start, skipped));
    done = batch.end;
    imported += batch.written;
    job.onProgress?.(done, items.length);
  }
  return { imported, skipped };
}

const NEEDS: Readonly<Record<ImportItem['kind'], Capability>> = {
  message: 'canSendMessage',
  edit: 'canEditOwnMessage',
  retraction: 'canDeleteOwnMessage',
  reaction: 'canReactToMessage',
};

/**
 * Writes items from `start` on, as one signed update of this device (see `batchFull`), and
 * returns where the next batch starts and how many were written. The role is checked on every
 * batch, since it can change during a long import: without the right to send, nothing is
 * written; an item whose own capability the role lacks is skipped.
 */
async function importBatch(
  d: DeviceContext,
  roomId: RoomId,
  materializer: ImportMaterializer,
  items: readonly ImportItem[],
  start: number,
  skipped: SkipCounts,
): Promise<{ end: number; written: number }> {
  const session = sessionOf(d, roomId);
  if (!session.active) throw new ClientError('NOT_IN_ROOM', 'this device is no longer in the room');
  const room = session.group.room;
  const user = d.device.userId;
  if (!can(room, user, 'canSendMessage')) {
    throw new ClientError('NOT_ALLOWED', 'your role may not send messages in this room');
  }
  const contents: Uint8Array[] = [];
  let bytes = 0;
  let i = start;
  for (; i < items.length && !batchFull(contents.length, bytes); i++) {
    const item = items[i];
    if (item === undefined) continue;
    if (!can(room, user, NEEDS[item.kind])) {
      materializer.drop(i);
      countSkip(skipped, 'not-allowed');
      continue;
    }
    const made = materializer.next(item, i);
    if (!made.ok) {
      countSkip(skipped, made.reason);
      continue;
    }
    contents.push(made.bytes);
    bytes += made.bytes.length;
  }
  if (contents.length > 0) await session.write(contents);
  return { end: i, written: contents.length };
}
