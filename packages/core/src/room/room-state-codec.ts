import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { isUserId } from '../identity/user-id.ts';
import type { UserId } from '../ids.ts';
import { sortCuts, type DeviceCut } from './cuts.ts';
import { RoomError } from './errors.ts';
import type { RoleDefinition, RoleIndex } from './roles.ts';
import {
  DisappearLimits,
  type HistorySharing,
  type RoomKind,
  type RoomState,
} from './room-state.ts';

/**
 * The MLS GroupContext extension type that carries the room state (from the private-use range
 * of the MLS Extension Types registry). Every Kith key package lists it in its capabilities.
 */
export const ROOM_STATE_EXTENSION_TYPE = 0xf0a1;

/** Version 2 adds the room's disappearing time; a room without one is still written as 1. */
const VERSION = 1;
const VERSION_WITH_TIMER = 2;
/** Version 3 adds the timeline cuts (cuts.ts) after the timer (null for none). */
const VERSION_WITH_CUTS = 3;
const MAX_CUTS = 65_536;
const MAX_ROLES = 32;
const MAX_PARTICIPANTS = 100_000;
const MAX_NAME_BYTES = 256;
const MAX_TOPIC_BYTES = 4096;

const KINDS: readonly RoomKind[] = ['group', 'dm'];
const HISTORY: readonly HistorySharing[] = ['all', 'since-joined'];

/**
 * Deterministic CBOR array: [version, kind, name, topic, avatar|null, invitesRestricted,
 * history, roles, participants]. Roles and participants are sorted, so equal states encode to
 * equal bytes (the GroupContext is hashed by every member).
 */
export function encodeRoomState(state: RoomState): Uint8Array {
  const roles = [...state.roles]
    .sort((a, b) => a.index - b.index)
    .map((r): CborValue => [
      r.index,
      r.name,
      [...r.capabilities].sort((a, b) => a - b),
      [...r.roleChanges.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([from, to]): CborValue => [from, [...to].sort((a, b) => a - b)]),
    ]);
  const participants = [...state.participants.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([user, role]): CborValue => [user, role]);
  const timer = state.disappearAfterMs;
  const cuts = state.cuts ?? [];
  // One encoding per state: no timer is version 1 as before, a timer is version 2 with it last,
  // cuts are version 3 with the timer (or null) and then the cuts.
  const tail: CborValue[] =
    cuts.length > 0
      ? [timer ?? null, sortCuts(cuts).map(encodeCut)]
      : timer === undefined
        ? []
        : [timer];
  return encodeCbor([
    cuts.length > 0 ? VERSION_WITH_CUTS : timer === undefined ? VERSION : VERSION_WITH_TIMER,
    KINDS.indexOf(state.kind),
    state.profile.name,
    state.profile.topic,
    state.profile.avatar ?? null,
    state.invitesRestricted,
    HISTORY.indexOf(state.history),
    roles,
    participants,
    ...tail,
  ]);
}

function encodeCut(c: DeviceCut): CborValue {
  return [c.device, c.user, c.seq, c.head, c.epoch, c.removed, c.retractAny];
}

function readCut(v: CborValue, p: string): DeviceCut {
  const [device, user, seq, head, epoch, removed, retractAny] = r.array(v, p, 7);
  const id = r.text(user, `${p}.user`, 64);
  if (!isUserId(id)) r.fail(`${p}.user`, 'not a user ID');
  return {
    device: r.bytes(device, `${p}.device`, 32),
    user: id,
    seq: r.uint(seq, `${p}.seq`),
    head: r.bytes(head, `${p}.head`, 32),
    epoch: r.biguint(epoch, `${p}.epoch`),
    removed: r.bool(removed, `${p}.removed`),
    retractAny: r.bool(retractAny, `${p}.retractAny`),
  };
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new RoomError('ROOM_STATE_MALFORMED', `room state ${path}: ${message}`),
);

/** Reads a room state extension; RoomError ROOM_STATE_MALFORMED for anything else. */
export function decodeRoomState(bytes: Uint8Array): RoomState {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 8 });
  } catch (cause) {
    throw new RoomError('ROOM_STATE_MALFORMED', 'room state is not deterministic CBOR', { cause });
  }
  const a = r.array(value, '');
  const withCuts = a[0] === VERSION_WITH_CUTS;
  const withTimer = a[0] === VERSION_WITH_TIMER || (withCuts && a[9] !== null);
  r.array(value, '', withCuts ? 11 : withTimer ? 10 : 9);
  if (!withTimer && !withCuts) r.version(a[0], VERSION);
  const disappearAfterMs = withTimer
    ? r.uint(a[9], 'disappearAfterMs', DisappearLimits.maxMs)
    : undefined;
  const cuts = withCuts ? r.list(a[10], 'cuts', MAX_CUTS, readCut) : [];
  if (disappearAfterMs !== undefined && disappearAfterMs < DisappearLimits.minMs) {
    r.fail('disappearAfterMs', `below ${DisappearLimits.minMs} ms`);
  }
  const kind = KINDS[r.uint(a[1], 'kind', KINDS.length - 1)] ?? 'group';
  const history = HISTORY[r.uint(a[6], 'history', HISTORY.length - 1)] ?? 'all';
  const roles = r.list(a[7], 'roles', MAX_ROLES, readRole);
  if (new Set(roles.map((x) => x.index)).size !== roles.length) r.fail('roles', 'duplicate role');
  const participants = new Map<UserId, RoleIndex>();
  r.list(a[8], 'participants', MAX_PARTICIPANTS, (v, p) => {
    const [user, role] = r.array(v, p, 2);
    const id = r.text(user, `${p}.user`, 64);
    if (!isUserId(id)) r.fail(`${p}.user`, 'not a user ID');
    if (participants.has(id)) r.fail(p, 'duplicate participant');
    const index = r.uint(role, `${p}.role`, 0xffff_ffff);
    if (index === 0) r.fail(`${p}.role`, 'role 0 is never listed');
    if (!roles.some((x) => x.index === index)) r.fail(`${p}.role`, `unknown role ${index}`);
    participants.set(id, index);
  });
  const state: RoomState = {
    kind,
    profile: {
      name: r.text(a[2], 'name', MAX_NAME_BYTES),
      topic: r.text(a[3], 'topic', MAX_TOPIC_BYTES),
      avatar: r.optional(a[4], 'avatar', (v, p) => r.text(v, p, 2048)),
    },
    invitesRestricted: r.bool(a[5], 'invitesRestricted'),
    history,
    disappearAfterMs,
    roles,
    participants,
    ...(cuts.length > 0 ? { cuts } : {}),
  };
  // One encoding per state: every member hashes these bytes in the GroupContext, and a
  // decoder that accepted unsorted or repeated entries would read two states as one.
  if (!sameBytes(encodeRoomState(state), bytes)) r.fail('', 'not in canonical form');
  return state;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function readRole(v: CborValue, p: string): RoleDefinition {
  const [index, name, caps, changes] = r.array(v, p, 4);
  const roleChanges = new Map<RoleIndex, RoleIndex[]>();
  r.list(changes, `${p}.roleChanges`, MAX_ROLES, (c, cp) => {
    const [from, to] = r.array(c, cp, 2);
    roleChanges.set(
      r.uint(from, `${cp}.from`, 0xffff_ffff),
      r.list(to, `${cp}.to`, MAX_ROLES, (t, tp) => r.uint(t, tp, 0xffff_ffff)),
    );
  });
  return {
    index: r.uint(index, `${p}.index`, 0xffff_ffff),
    name: r.text(name, `${p}.name`, 64),
    capabilities: new Set(r.list(caps, `${p}.capabilities`, 256, (c, cp) => r.uint(c, cp, 0xffff))),
    roleChanges,
  };
}
