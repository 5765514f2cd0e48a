import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { IntentLog } from '../../src/client/intent-log.ts';
import {
  disappearingIntent,
  historyIntent,
  inviteIntent,
  invitesRestrictedIntent,
  profileIntent,
  roleIntent,
  unbanIntent,
  type Intent,
} from '../../src/client/intent.ts';
import { RoomStore } from '../../src/client/room-store.ts';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { encodeKeyPackage } from '../../src/group/key-package.ts';
import type { UserId } from '../../src/ids.ts';
import { Roles } from '../../src/room/roles.ts';
import { newRoomState, withParticipant } from '../../src/room/room-state.ts';
import { KvStore } from '../../src/storage/store.ts';
import { newDevice } from '../group/fixtures.ts';

async function store(): Promise<{ kv: KvStore; room: RoomStore }> {
  const kv = await KvStore.open(new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions));
  return { kv, room: new RoomStore(kv, new Uint8Array(32).fill(7)) };
}

const epoch = (n: number): Uint8Array => new Uint8Array(16).fill(n);

describe('the intent log, stored with the room', () => {
  it('keeps every kind of change through a restart, and what a fork undid stays to be made again', async () => {
    const { kv, room } = await store();
    const other = await newDevice();
    const user = other.user.userId;
    const intents: Intent[] = [
      inviteIntent([other.kp.publicPackage]),
      roleIntent(user, Roles.banned),
      unbanIntent(user),
      profileIntent({ name: 'n', avatar: null }),
      profileIntent({ topic: 't' }),
      invitesRestrictedIntent(true),
      historyIntent('since-joined'),
      disappearingIntent(60_000),
      disappearingIntent(undefined),
    ];
    const log = IntentLog.empty(room);
    for (const [i, intent] of intents.entries()) await kv.batch(log.committed(epoch(i), intent));
    // A fork undoes the ban's epoch; the device stops before making it again.
    await kv.batch(log.undone([epoch(1)]));
    const reopened = await IntentLog.load(room);
    const base = withParticipant(
      newRoomState({ kind: 'group', creator: 'u' as UserId }),
      user,
      Roles.member,
    );
    for (const [i, intent] of intents.entries()) {
      const again = i === 1 ? reopened.toMakeAgain()[0]?.intent : reopened.intentAt(epoch(i));
      expect(again?.spec).toEqual(intent.spec);
      expect(again?.room(base)).toEqual(intent.room(base));
      expect(again?.removeUsers).toEqual(intent.removeUsers);
      expect(again?.adds.map(encodeKeyPackage)).toEqual(intent.adds.map(encodeKeyPackage));
    }
    expect(reopened.toMakeAgain()).toHaveLength(1);
    // Made again: gone; epochs no longer retained: forgotten too (no fork reaches them).
    const [undone] = reopened.toMakeAgain();
    if (undone === undefined) throw new Error('nothing to make again');
    await kv.batch(reopened.settled(undone.seq));
    await kv.batch(reopened.prune([{ epochId: epoch(8) }]));
    const last = await IntentLog.load(room);
    expect(last.toMakeAgain()).toEqual([]);
    expect(last.intentAt(epoch(0))).toBeUndefined();
    expect(last.intentAt(epoch(8))?.spec).toEqual({ type: 'disappearing', ms: undefined });
  });

  it('refuses a damaged entry with a typed error', async () => {
    const { kv, room } = await store();
    await kv.batch([room.putIntent(0, encodeCbor([1, null, [99]]))]);
    await expect(IntentLog.load(room)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
  });
});
