import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import { signingKeyPairFromSecret } from '../../src/crypto/ed25519.ts';
import { sha256 } from '../../src/crypto/hash.ts';
import { userIdFromPublicKey } from '../../src/identity/user-id.ts';
import { checkCuts, withCuts, type CutDevice } from '../../src/room/cuts.ts';
import { Roles } from '../../src/room/roles.ts';
import { decodeRoomState, encodeRoomState } from '../../src/room/room-state-codec.ts';
import { newRoomState, withParticipant, type RoomState } from '../../src/room/room-state.ts';

function device(name: string): CutDevice {
  const key = (s: string) =>
    signingKeyPairFromSecret(sha256(new TextEncoder().encode(s))).publicKey;
  return { publicKey: key(`device ${name}`), userId: userIdFromPublicKey(key(`user ${name}`)) };
}

const [alice, bob, mona] = [device('alice'), device('bob'), device('mona')] as const;
const all = [alice, bob, mona];
let room: RoomState = newRoomState({
  kind: 'group',
  creator: alice.userId,
  disappearAfterMs: 60_000,
});
room = withParticipant(
  withParticipant(room, bob.userId, Roles.member),
  mona.userId,
  Roles.moderator,
);
const heads = new Map([[toHex(bob.publicKey), { seq: 4, head: new Uint8Array(32).fill(7) }]]);

describe('timeline cuts in the room state', () => {
  it('a removal and a demotion each cut the device, and round-trip canonically', () => {
    const after = withParticipant(
      withParticipant(room, bob.userId, Roles.none),
      mona.userId,
      Roles.member,
    );
    const cut = withCuts(room, after, all, [alice, mona], 5n, heads);
    const byUser = (x: readonly unknown[], y: readonly unknown[]) =>
      String(x[0]) < String(y[0]) ? -1 : 1;
    expect(
      cut.cuts?.map((c) => [c.user, c.seq, c.removed, c.retractAny, c.epoch]).sort(byUser),
    ).toEqual(
      [
        [bob.userId, 5, true, false, 5n],
        [mona.userId, 0, false, true, 5n],
      ].sort(byUser),
    );
    expect(decodeRoomState(encodeRoomState(cut))).toEqual(cut);
    expect(checkCuts(room, cut, all, [alice, mona], 5n)).toBeUndefined();
  });

  it('every member refuses a commit whose cuts are missing, wrong, or rewrite earlier ones', () => {
    const after = withParticipant(room, bob.userId, Roles.none);
    const good = withCuts(room, after, all, [alice, mona], 5n, heads);
    const [bobCut] = good.cuts ?? [];
    if (bobCut === undefined) throw new Error('no cut');
    const bad: RoomState[] = [
      after,
      { ...good, cuts: [{ ...bobCut, epoch: 4n }] },
      { ...good, cuts: [{ ...bobCut, removed: false }] },
      { ...good, cuts: [{ ...bobCut, user: alice.userId }] },
      { ...good, cuts: [bobCut, { ...bobCut, device: alice.publicKey, user: alice.userId }] },
    ];
    for (const r of bad) {
      expect(checkCuts(room, r, all, [alice, mona], 5n)).toMatchObject({ code: 'INVALID_CHANGE' });
    }
    // A later commit keeps the cut as it was.
    const next = withParticipant(good, device('carol').userId, Roles.member);
    expect(checkCuts(good, next, [alice, mona], [alice, mona], 6n)).toBeUndefined();
    expect(checkCuts(good, { ...next, cuts: [] }, [alice, mona], [alice, mona], 6n)).toMatchObject({
      code: 'INVALID_CHANGE',
    });
  });
});
