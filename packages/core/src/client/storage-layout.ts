import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import type { KvStore } from '../storage/store.ts';
import { ClientError } from './errors.ts';

/**
 * The layout of a device's database (docs/PROTOCOL.md §8), stamped under `meta/schema`.
 * 2: message bodies detached from the signed updates (§6.1). Databases written before the stamp
 * existed have an identity and no stamp: layout 1.
 * 3: stored room states may carry timeline cuts (room-state version 3, §6.3), which an older
 * Kith cannot read. A layout-2 database reads as it is: it is stamped 3 on opening.
 */
export const STORAGE_LAYOUT = 3;
/** Layouts this one opens unchanged (only the stamp moves on). */
const READS_AS_IS = 2;

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
  if (layout === READS_AS_IS) {
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
