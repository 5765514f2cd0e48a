import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { KvStore } from '../storage/store.ts';
import { ClientError } from './errors.ts';

/**
 * The layout of a device's database (docs/PROTOCOL.md §8), stamped under `meta/schema`.
 * 2: message bodies detached from the signed updates (§6.1). 3: epochs record their committer,
 * each room keeps its intent log (fork choice, §5), and stored room states may carry timeline
 * cuts (room-state version 3), which an older Kith cannot read. 4: message bodies may be stored
 * with their owner (`room/<id>/body/<messageId>/owned`, room-store.ts), which an older Kith would
 * not see. Databases written before the stamp existed have an identity and no stamp: layout 1.
 */
export const STORAGE_LAYOUT = 4;

/**
 * Layouts 2 and 3 become 4 by restamping. Layout 2's epochs (record version 1) are still read,
 * without a committer, which makes them final (no fork reaches back past them); its rooms have
 * no intent log yet, which is an empty one. Bodies stored bare (both) are still read, and
 * checked against their owner on first use, then stored again with it. An older Kith refuses
 * the result, rather than run without the log or the bodies.
 */
const MIGRATES_FROM: readonly unknown[] = [2, 3];

const LAYOUT_KEY = 'meta/schema';
const IDENTITY_KEY = 'identity/device';

/**
 * Stamps a new database with this layout, and refuses one written in another: reading it
 * would misread what is stored and could lose it. Nothing is changed in a refused database.
 */
export async function checkStorageLayout(kv: KvStore): Promise<void> {
  const stamp = await kv.get(LAYOUT_KEY);
  let layout: unknown;
  if (stamp === undefined) {
    if ((await kv.get(IDENTITY_KEY)) === undefined) {
      await kv.put(LAYOUT_KEY, encodeCbor(STORAGE_LAYOUT));
      return;
    }
    layout = 1;
  } else {
    try {
      layout = decodeCbor(stamp);
    } catch {
      layout = 'unreadable';
    }
  }
  if (layout === STORAGE_LAYOUT) return;
  if (MIGRATES_FROM.includes(layout)) {
    await kv.put(LAYOUT_KEY, encodeCbor(STORAGE_LAYOUT));
    return;
  }
  const newer = typeof layout === 'number' && layout > STORAGE_LAYOUT;
  throw new ClientError(
    'STORAGE_LAYOUT',
    newer
      ? `this data was written by a newer Kith (storage layout ${String(layout)}; this one reads ${STORAGE_LAYOUT}): run that version`
      : `this data was written by an older Kith (storage layout ${String(layout)}; this one reads ${STORAGE_LAYOUT}) and cannot be converted: move it aside and start afresh (your rooms' members still hold their history)`,
  );
}
