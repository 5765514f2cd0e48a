import { describe, expect, it } from 'vitest';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import type { DeviceId } from '../../src/ids.ts';
import { Roles } from '../../src/room/roles.ts';
import { newRoomState, withParticipant } from '../../src/room/room-state.ts';
import { webRandom } from '../../src/ports/random.ts';
import { addProposal, freshKeyPackage, newDevice } from './fixtures.ts';

describe('a revoked device', () => {
  it('cannot rejoin by external commit where its revocation is known', async () => {
    const a = await newDevice();
    const laptop = await newDevice();
    const phone = await newDevice(laptop.user);
    const revoked = new Set<DeviceId>();
    // Alice's device holds Bob's signed list; the AS asks it for every leaf.
    const options = {
      cs: await loadCiphersuite(),
      config: kithClientConfig(
        kithAuthenticationService({ isRevoked: (device) => revoked.has(device) }),
        16,
      ),
    };
    let room = newRoomState({ kind: 'group', creator: a.user.userId, name: 'room' });
    const A = await ConversationGroup.create(
      webRandom.bytes(32),
      a.kp.publicPackage,
      a.kp.privatePackage,
      room,
      options,
    );
    room = withParticipant(A.room, laptop.user.userId, Roles.member);
    const added = await A.commit(
      [addProposal(laptop.kp.publicPackage), addProposal(phone.kp.publicPackage)],
      room,
    );
    if (!added.ok) throw new Error(added.refusal.message);

    // Bob's laptop revokes the phone: Alice learns the list, and the phone's leaf is removed.
    revoked.add(phone.device.deviceId);
    const leaf = A.members().find((m) => m.deviceId === phone.device.deviceId)?.leafIndex ?? -1;
    const removal = await A.commit([{ proposalType: 'remove', remove: { removed: leaf } }]);
    if (!removal.ok) throw new Error(removal.refusal.message);

    // The phone (its user still a member) tries to come back from a GroupInfo.
    const fresh = await freshKeyPackage(phone);
    const attempt = await ConversationGroup.rejoin(
      await A.groupInfo(),
      fresh.kp.publicPackage,
      fresh.kp.privatePackage,
      // The phone's own client, bypassed: it does not check itself.
      { cs: options.cs, config: kithClientConfig(kithAuthenticationService(), 16) },
    );
    if (typeof attempt === 'string') throw new Error(attempt);
    expect(await A.receive(attempt.commit)).toMatchObject({ kind: 'rejected' });
    expect(A.members().map((m) => m.deviceId)).not.toContain(phone.device.deviceId);
  });
});
