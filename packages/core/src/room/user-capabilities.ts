import type { UserId } from '../ids.ts';
import { CAPABILITY_CODES, type Capability } from './capabilities.ts';
import { can, roleDefinition, roleOf, type RoomState } from './room-state.ts';

/** What a user may do in a room, to show before they try (the checks stay where they are). */
export interface UserCapabilities {
  /** The name of the user's role ('none' when not in the room). */
  readonly role: string;
  readonly capabilities: readonly Capability[];
  /** Whether an invite needs canChangeRoomMembershipStyle (invites restricted to admins). */
  readonly invitesRestricted: boolean;
}

/** The capabilities Kith acts on that `user`'s role holds in `state`, in registry order. */
export function capabilitiesOf(state: RoomState, user: UserId): UserCapabilities {
  const index = roleOf(state, user);
  const names = Object.keys(CAPABILITY_CODES) as Capability[];
  return {
    role: roleDefinition(state, index)?.name ?? String(index),
    capabilities: names.filter((c) => can(state, user, c)),
    invitesRestricted: state.invitesRestricted,
  };
}
