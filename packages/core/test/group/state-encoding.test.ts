import { encodeGroupState } from 'ts-mls';
import { toHex } from '../../src/crypto/bytes.ts';
import { describe, expect, it } from 'vitest';
import type { ConversationGroup } from '../../src/group/conversation-group.ts';
import { encodeGroupStateKept } from '../../src/group/state-encoding.ts';
import { Roles } from '../../src/room/roles.ts';
import { withParticipant } from '../../src/room/room-state.ts';
import { addProposal, createRoom, join, newDevice } from './fixtures.ts';

const hex = toHex;

/** Every epoch of the group's chain encodes as ts-mls's own encoder says, byte for byte. */
function expectSameBytes(...groups: ConversationGroup[]): void {
  for (const g of groups) {
    for (const r of g.chain) {
      expect(hex(encodeGroupStateKept(r.state))).toBe(hex(encodeGroupState(r.state)));
    }
  }
}

describe('group state encoding that reuses unchanged parts', () => {
  it("gives ts-mls's bytes along a group's life: messages, commits, past epochs' messages", async () => {
    const [a, b, c] = await Promise.all([newDevice(), newDevice(), newDevice()]);
    const A = await createRoom(a);
    const invited = await A.commit(
      [addProposal(b.kp.publicPackage)],
      withParticipant(A.room, b.user.userId, Roles.member),
    );
    if (!invited.ok) throw new Error(invited.refusal.message);
    const B = await join(b, invited.welcome);
    expectSameBytes(A, B);
    for (let i = 0; i < 5; i++) {
      await B.receive(await A.encrypt(Uint8Array.of(i)));
      await A.receive(await B.encrypt(Uint8Array.of(i)));
      // Encoded between steps too, so the kept parts are reused across changes.
      expectSameBytes(A, B);
    }
    // A message sent at this epoch and opened only after the next commit: a past epoch's
    // receiver data changes (its secret tree moves) while the rest is kept.
    const late = await A.encrypt(Uint8Array.of(9));
    const added = await A.commit(
      [addProposal(c.kp.publicPackage)],
      withParticipant(A.room, c.user.userId, Roles.member),
    );
    if (!added.ok) throw new Error(added.refusal.message);
    await B.receive(added.commit);
    const C = await join(c, added.welcome);
    expectSameBytes(A, B, C);
    const outcome = await B.receive(late);
    expect(outcome.kind).toBe('application');
    expectSameBytes(A, B, C);
    for (let i = 0; i < 3; i++) {
      const m = await C.encrypt(Uint8Array.of(i));
      await A.receive(m);
      await B.receive(m);
      expectSameBytes(A, B, C);
    }
  });
});
