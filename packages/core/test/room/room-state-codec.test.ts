import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import type { CborValue } from '../../src/cbor/value.ts';
import { userIdFromPublicKey } from '../../src/identity/user-id.ts';
import type { UserId } from '../../src/ids.ts';
import { RoomError } from '../../src/room/errors.ts';
import { Roles, type RoleDefinition, type RoleIndex } from '../../src/room/roles.ts';
import {
  decodeRoomState,
  encodeRoomState,
  ROOM_STATE_EXTENSION_TYPE,
} from '../../src/room/room-state-codec.ts';
import { withChanges, type RoomState } from '../../src/room/room-state.ts';
import { alice, editRole, extendRole, mem, populatedRoom } from './fixtures.ts';

const utf8 = (s: string): number => new TextEncoder().encode(s).length;
const text = (maxLength: number, maxBytes: number) =>
  fc.string({ unit: 'grapheme', maxLength }).filter((s) => utf8(s) <= maxBytes);
const uint32 = fc.nat({ max: 0xffff_ffff });

const roleArb: fc.Arbitrary<RoleDefinition> = fc.record({
  index: uint32,
  name: text(12, 64),
  // Any 16-bit code, most of them unknown to Kith.
  capabilities: fc.uniqueArray(fc.nat({ max: 0xffff }), { maxLength: 40 }).map((c) => new Set(c)),
  roleChanges: fc
    .uniqueArray(fc.tuple(uint32, fc.array(uint32, { maxLength: 6 })), {
      selector: ([from]) => from,
      maxLength: 6,
    })
    .map((entries) => new Map<RoleIndex, readonly RoleIndex[]>(entries)),
});

const userArb: fc.Arbitrary<UserId> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map(userIdFromPublicKey);

/** Any state the codec can carry: participants hold roles of the table, never role 0. */
const roomArb: fc.Arbitrary<RoomState> = fc
  .uniqueArray(roleArb, { selector: (r) => r.index, maxLength: 8 })
  .chain((roles) => {
    const held = roles.map((r) => r.index).filter((i) => i !== 0);
    const participants =
      held.length === 0
        ? fc.constant(new Map<UserId, RoleIndex>())
        : fc
            .uniqueArray(fc.tuple(userArb, fc.constantFrom(...held)), {
              selector: ([u]) => u,
              maxLength: 8,
            })
            .map((entries) => new Map(entries));
    return fc.record({
      kind: fc.constantFrom('group' as const, 'dm' as const),
      profile: fc.record({
        name: text(40, 256),
        topic: text(200, 4096),
        avatar: fc.option(text(40, 2048), { nil: undefined }),
      }),
      invitesRestricted: fc.boolean(),
      history: fc.constantFrom('all' as const, 'since-joined' as const),
      disappearAfterMs: fc.option(fc.integer({ min: 1000, max: 366 * 86_400_000 }), {
        nil: undefined,
      }),
      roles: fc.constant(roles),
      participants,
    });
  });

/** What a decoding gives back: roles by index, role change targets in order. */
function canonical(state: RoomState): RoomState {
  const roles = [...state.roles]
    .sort((a, b) => a.index - b.index)
    .map((r) => ({
      ...r,
      roleChanges: new Map(
        [...r.roleChanges].map(([from, to]) => [from, [...to].sort((a, b) => a - b)]),
      ),
    }));
  return withChanges(state, { roles });
}

/** A deterministic shuffle (mulberry32), so a failing seed replays. */
function shuffler(seed: number): <T>(items: Iterable<T>) => T[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return <T>(items: Iterable<T>): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
}

/** The same state, with every set, map and list built in another order. */
function rebuilt(state: RoomState, seed: number): RoomState {
  const shuffle = shuffler(seed);
  const roles = shuffle(state.roles).map((r) => ({
    ...r,
    capabilities: new Set(shuffle(r.capabilities)),
    roleChanges: new Map(shuffle(r.roleChanges).map(([from, to]) => [from, shuffle(to)])),
  }));
  return withChanges(state, { roles, participants: new Map(shuffle(state.participants)) });
}

/**
 * Decodes, or throws; anything thrown must be a RoomError ROOM_STATE_MALFORMED. What decodes
 * must encode back to exactly `bytes`: one encoding per state, so members who agree on a state
 * agree on the GroupContext bytes.
 */
function decodesOrThrowsRoomError(bytes: Uint8Array): RoomState | undefined {
  let state: RoomState;
  try {
    state = decodeRoomState(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(RoomError);
    expect(error).toMatchObject({ name: 'RoomError', code: 'ROOM_STATE_MALFORMED' });
    return undefined;
  }
  expect(encodeRoomState(state)).toEqual(bytes);
  return state;
}

/** A state using every field: avatar, restricted invites, an unknown capability. */
const rich = withChanges(
  editRole(populatedRoom(), Roles.member, (r) => extendRole(r, [0x7777])),
  { invitesRestricted: true, history: 'since-joined' },
);
const richBytes = encodeRoomState(
  withChanges(rich, { profile: { ...rich.profile, avatar: 'blob:abc' } }),
);

describe('room state codec', () => {
  it('uses an MLS extension type from the private-use range', () => {
    expect(ROOM_STATE_EXTENSION_TYPE).toBeGreaterThanOrEqual(0xf000);
    expect(ROOM_STATE_EXTENSION_TYPE).toBeLessThanOrEqual(0xffff);
  });

  it('round-trips the default room', () => {
    const room = populatedRoom();
    expect(decodeRoomState(encodeRoomState(room))).toEqual(canonical(room));
  });

  it('round-trips any state', () => {
    fc.assert(
      fc.property(roomArb, (state) => {
        const bytes = encodeRoomState(state);
        const decoded = decodeRoomState(bytes);
        expect(decoded).toEqual(canonical(state));
        expect(encodeRoomState(decoded)).toEqual(bytes);
      }),
    );
  });

  it('gives equal states equal bytes, whatever order they were built in', () => {
    fc.assert(
      fc.property(roomArb, fc.integer(), (state, seed) => {
        expect(encodeRoomState(rebuilt(state, seed))).toEqual(encodeRoomState(state));
      }),
    );
  });

  it('gives different states different bytes', () => {
    const room = populatedRoom();
    const variants = [
      room,
      withChanges(room, { kind: 'dm' }),
      withChanges(room, { profile: { ...room.profile, name: 'other' } }),
      withChanges(room, { profile: { ...room.profile, avatar: '' } }),
      withChanges(room, { invitesRestricted: true }),
      withChanges(room, { history: 'since-joined' }),
      editRole(room, Roles.member, (r) => extendRole(r, [0x7777])),
      editRole(room, Roles.member, (r) => extendRole(r, [], [[Roles.none, [Roles.member]]])),
      withChanges(room, { participants: new Map([[alice, Roles.owner]]) }),
      withChanges(room, { participants: new Map([...room.participants, [mem, Roles.admin]]) }),
    ];
    const encodings = new Set(variants.map((v) => encodeRoomState(v).join(',')));
    expect(encodings.size).toBe(variants.length);
  });

  it('keeps capability codes it does not know through a round trip', () => {
    const unknown = [0x0fff, 0x7777, 0xffff];
    const room = editRole(populatedRoom(), Roles.member, (r) => extendRole(r, unknown));
    const decoded = decodeRoomState(encodeRoomState(room));
    const member = decoded.roles.find((r) => r.index === Roles.member);
    for (const code of unknown) expect(member?.capabilities.has(code)).toBe(true);
    expect(encodeRoomState(decoded)).toEqual(encodeRoomState(room));
  });

  describe('on malformed input, throws only RoomError', () => {
    it('for random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          decodesOrThrowsRoomError(bytes);
        }),
      );
    });

    it('for random CBOR values', () => {
      fc.assert(
        fc.property(
          fc.letrec<{ value: CborValue }>((tie) => ({
            value: fc.oneof(
              { depthSize: 'small' },
              fc.nat(),
              fc.string(),
              fc.boolean(),
              fc.constant(null),
              fc.uint8Array({ maxLength: 4 }),
              fc.array(tie('value'), { maxLength: 10 }),
            ),
          })).value,
          (value) => {
            decodesOrThrowsRoomError(encodeCbor(value));
          },
        ),
      );
    });

    it('for every single-byte change of a valid encoding', () => {
      let decoded = 0;
      for (let i = 0; i < richBytes.length; i++) {
        for (const mask of [0x01, 0x02, 0x10, 0x80, 0xff]) {
          const mutated = richBytes.slice();
          mutated[i] = (mutated[i] ?? 0) ^ mask;
          if (decodesOrThrowsRoomError(mutated) !== undefined) decoded++;
        }
      }
      expect(decoded).toBeGreaterThan(0); // some changes are valid (a letter of a name)
    });

    it('for every truncation and for trailing bytes', () => {
      for (let n = 0; n < richBytes.length; n++) {
        expect(decodesOrThrowsRoomError(richBytes.subarray(0, n))).toBeUndefined();
      }
      expect(decodesOrThrowsRoomError(Uint8Array.of(...richBytes, 0))).toBeUndefined();
    });

    // A hand-built encoding, so each case below breaks exactly one thing.
    const valid = (): CborValue[] => [
      1,
      0,
      'room',
      'topic',
      null,
      false,
      0,
      [
        [0, 'none', [], []],
        [1, 'banned', [], []],
        [2, 'member', [256], [[0, [2]]]],
      ],
      [[alice, 2]],
    ];
    const replace = (i: number, v: CborValue): CborValue[] => {
      const a = valid();
      a[i] = v;
      return a;
    };
    const roles = valid()[7] as CborValue[];

    it('accepts the hand-built baseline', () => {
      expect(decodeRoomState(encodeCbor(valid())).participants.get(alice)).toBe(2);
    });

    it.each<[string, CborValue]>([
      ['not an array', new Map([[1, 1]])],
      ['a missing field', valid().slice(0, 8)],
      ['an extra field', [...valid(), 0]],
      ['version 2', replace(0, 2)],
      ['an unknown kind', replace(1, 2)],
      ['an unknown history setting', replace(6, 2)],
      ['a name of 257 bytes', replace(2, 'x'.repeat(257))],
      ['a topic of 4097 bytes', replace(3, 'x'.repeat(4097))],
      ['a byte-string avatar', replace(4, new Uint8Array(1))],
      ['a text flag', replace(5, 'yes')],
      ['a duplicate role', replace(7, [...roles, [2, 'again', [], []]])],
      ['a role of three fields', replace(7, [[0, 'none', []]])],
      ['a capability code above 16 bits', replace(7, [[0, 'none', [0x1_0000], []]])],
      ['a negative role index', replace(7, [[-1, 'none', [], []]])],
      ['a role name of 65 bytes', replace(7, [[0, 'x'.repeat(65), [], []]])],
      ['a role change that is not a pair', replace(7, [[2, 'm', [], [[0]]]])],
      ['a participant with role 0', replace(8, [[alice, 0]])],
      ['a participant with an unknown role', replace(8, [[alice, 3]])],
      [
        'a duplicate participant',
        replace(8, [
          [alice, 2],
          [alice, 1],
        ]),
      ],
      ['a participant that is not a user ID', replace(8, [['alice', 2]])],
      ['a device ID for a participant', replace(8, [[`d${alice.slice(1)}`, 2]])],
      ['nesting deeper than the format', replace(8, [[[[[[[[alice]]]]]]]])],
    ])('for %s', (_, value) => {
      expect(decodesOrThrowsRoomError(encodeCbor(value))).toBeUndefined();
    });

    // One encoding per state: orders and duplicates the encoder never writes are refused.
    const [lo, hi] = alice < mem ? [alice, mem] : [mem, alice];
    it.each<[string, CborValue]>([
      [
        'unsorted participants',
        replace(8, [
          [hi, 2],
          [lo, 2],
        ]),
      ],
      ['unsorted roles', replace(7, [roles[2] ?? null, roles[0] ?? null, roles[1] ?? null])],
      [
        'unsorted capabilities',
        replace(7, [
          [0, 'none', [], []],
          [1, 'banned', [], []],
          [2, 'm', [257, 256], []],
        ]),
      ],
      [
        'a duplicate capability',
        replace(7, [
          [0, 'none', [], []],
          [1, 'banned', [], []],
          [2, 'm', [256, 256], []],
        ]),
      ],
      [
        'a duplicate role change source',
        replace(7, [
          [0, 'none', [], []],
          [1, 'banned', [], []],
          [
            2,
            'm',
            [],
            [
              [0, [1]],
              [0, [2]],
            ],
          ],
        ]),
      ],
    ])('for a non-canonical encoding: %s', (_, value) => {
      expect(decodesOrThrowsRoomError(encodeCbor(value))).toBeUndefined();
    });

    it('for a state whose participant holds a role the table lacks', () => {
      const dropped = editRole(populatedRoom(), Roles.moderator, () => undefined);
      expect(decodesOrThrowsRoomError(encodeRoomState(dropped))).toBeUndefined();
    });
  });

  describe('the room-wide disappearing time', () => {
    it('leaves a room without one in version 1, and puts one last in version 2', () => {
      const plain = encodeRoomState(populatedRoom());
      expect(plain[1]).toBe(1);
      const timed = withChanges(populatedRoom(), { disappearAfterMs: 3_600_000 });
      const bytes = encodeRoomState(timed);
      expect(bytes[1]).toBe(2);
      expect(decodeRoomState(bytes).disappearAfterMs).toBe(3_600_000);
      expect(decodeRoomState(plain).disappearAfterMs).toBeUndefined();
    });

    it('refuses a time out of range, or a version 2 without one', () => {
      const fields = (version: number, extra: CborValue[]): Uint8Array => {
        const value = [version, 0, '', '', null, false, 0, [], [], ...extra];
        return encodeCbor(value);
      };
      for (const bytes of [
        fields(2, [500]),
        fields(2, [367 * 86_400_000]),
        fields(2, []),
        fields(1, [60_000]),
      ]) {
        expect(decodesOrThrowsRoomError(bytes)).toBeUndefined();
      }
      expect(decodeRoomState(fields(2, [60_000])).disappearAfterMs).toBe(60_000);
    });
  });
});
