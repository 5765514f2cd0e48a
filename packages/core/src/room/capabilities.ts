/**
 * The capabilities Kith checks, named and numbered as in the MIMI Role Capabilities registry
 * (draft-ietf-mimi-room-policy, IANA section). Only the ones Kith acts on are listed; the codes
 * are what the room state carries on the wire, so rooms stay readable by MIMI tooling.
 */
export const CAPABILITY_CODES = {
  canAddParticipant: 0x0000,
  canRemoveParticipant: 0x0001,
  canAddOwnClient: 0x0002,
  canRemoveOwnClient: 0x0003,
  canRemoveSelf: 0x0006,
  canBan: 0x000a,
  canUnBan: 0x000b,
  canKick: 0x000c,
  canChangeUserRole: 0x000f,
  canSendMessage: 0x0100,
  canReceiveMessage: 0x0101,
  canReplyToMessage: 0x0104,
  canReactToMessage: 0x0105,
  canDeleteOwnReaction: 0x0107,
  canDeleteOtherReaction: 0x0108,
  canEditOwnMessage: 0x0109,
  canDeleteOwnMessage: 0x010a,
  canDeleteOtherMessage: 0x010b,
  canStartTopic: 0x010c,
  canReplyInTopic: 0x010d,
  canUploadAttachment: 0x0203,
  canChangeRoomName: 0x0300,
  canChangeRoomDescription: 0x0301,
  canChangeRoomAvatar: 0x0302,
  canChangeRoomMembershipStyle: 0x0502,
  canChangeRoleDefinitions: 0x0503,
} as const;

/** A MIMI room-policy capability by name (`canSendMessage`, `canBan`...). */
export type Capability = keyof typeof CAPABILITY_CODES;

const BY_CODE = new Map<number, Capability>(
  Object.entries(CAPABILITY_CODES).map(([name, code]) => [code, name as Capability]),
);

/** The capability a wire code names, or undefined for codes Kith does not act on (kept as is). */
export function capabilityOfCode(code: number): Capability | undefined {
  return BY_CODE.get(code);
}

/** Whether `name` is a capability Kith acts on. */
export function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITY_CODES, name);
}
