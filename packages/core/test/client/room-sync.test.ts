import { describe, expect, it } from 'vitest';
import { Embargo } from '../../src/client/embargo.ts';
import { PeerPositions } from '../../src/client/peer-state.ts';
import type { RoomSession } from '../../src/client/room-session.ts';
import { handleSyncFrame } from '../../src/client/room-sync.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import type { MemberDevice } from '../../src/group/leaves.ts';
import type { DeviceId, UserId } from '../../src/ids.ts';
import type { DirectFrame } from '../../src/sync/frames.ts';

const member = (name: string, key: number): MemberDevice =>
  ({
    deviceId: name as DeviceId,
    userId: `u${name}` as UserId,
    publicKey: new Uint8Array(32).fill(key),
  }) as MemberDevice;

/** A stand-in session (what the sync protocol reads of one) holding one update to hand out. */
function setup() {
  const embargo = new Embargo();
  const eve = member('eve', 3);
  const members = [member('me', 1), member('ben', 2), eve];
  const sent: { to: DeviceId; frame: DirectFrame }[] = [];
  const session = {
    roomId: 'r1',
    group: {
      groupId: new Uint8Array(32),
      head: { epoch: 4n },
      chain: [],
      pendingCount: 0,
      commitsAfter: () => [],
    },
    doc: {
      encodedUpdatesSince: () => [new Uint8Array([9])],
      stateVector: () => new Map(),
      pendingCount: 0,
    },
    history: { mayShare: () => true },
    outbox: { size: 0 },
    peers: new PeerPositions(),
    embargo,
    members: () => members,
    heardFrom: () => undefined,
    sealUpdates: (updates: Uint8Array[]) => Promise.resolve(updates),
    sendFrame: (to: DeviceId, frame: DirectFrame) => {
      sent.push({ to, frame });
      return Promise.resolve();
    },
    acknowledge: () => undefined,
    flush: () => Promise.resolve(),
    reportSync: () => undefined,
  } as unknown as RoomSession;
  const hello: DirectFrame = {
    type: 'hello',
    groupId: new Uint8Array(32),
    epoch: 4n,
    epochIds: [],
    heads: [],
    reply: true,
  };
  return { session, embargo, sent, hello, eve };
}

describe('sync answers', () => {
  it('hand no data to a device an embargo holds back, and hand it again once it is lifted', async () => {
    const { session, embargo, sent, hello, eve } = setup();
    const data = () => sent.filter((s) => s.frame.type === 'data').map((s) => s.to);
    // Eve was removed on a branch this device abandoned and is a member on the winner.
    embargo.afterSwitch([toHex(eve.publicKey)], [], [toHex(eve.publicKey)]);
    await handleSyncFrame(session, eve.deviceId, hello, 'own');
    expect(data()).toEqual([]);
    await handleSyncFrame(session, 'ben' as DeviceId, hello, 'own');
    expect(data()).toEqual(['ben']);
    // Her removal was committed again: she is gone, and the embargo with her.
    embargo.keepOnly([]);
    await handleSyncFrame(session, eve.deviceId, hello, 'own');
    expect(data()).toEqual(['ben', 'eve']);
  });

  it('answer nobody who is not a member device of this chain', async () => {
    const { session, sent, hello } = setup();
    await handleSyncFrame(session, 'stranger' as DeviceId, hello, 'own');
    expect(sent).toEqual([]);
  });
});
