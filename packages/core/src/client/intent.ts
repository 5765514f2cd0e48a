import type { KeyPackage } from 'ts-mls';
import type { UserId } from '../ids.ts';
import type { RoomState } from '../room/room-state.ts';

/**
 * A control-plane change the user asked for, kept as what was meant rather than the commit
 * that carried it: if that commit loses a fork, the intent is applied again to the winning
 * chain (and may turn out to be done already, or no longer allowed).
 */
export interface Intent {
  /** Key packages of devices to add. */
  readonly adds: readonly KeyPackage[];
  /** Users whose devices are all removed. */
  readonly removeUsers: readonly UserId[];
  /** The room state wanted, from the current one; undefined for no change. */
  readonly room: (current: RoomState) => RoomState | undefined;
}
