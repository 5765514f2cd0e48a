import { toHex } from '../crypto/bytes.ts';
import {
  decodeDeviceCertificate,
  verifyDeviceCertificate,
} from '../identity/device-certificate.ts';
import { userIdFromPublicKey } from '../identity/user-id.ts';
import { authorOfEncoded } from '../timeline/signed-update.ts';
import type { HistoryEntry } from './room-store.ts';
import type { EpochRecord } from '../group/epoch.ts';
import { memberDevices } from '../group/leaves.ts';
import type { UserId } from '../ids.ts';
import type { Capability } from '../room/capabilities.ts';
import { Roles } from '../room/roles.ts';
import type { DeviceCut } from '../room/cuts.ts';
import { can, roleOf, type RoomState } from '../room/room-state.ts';
import type { ControlPlaneView, TimelineAction } from '../timeline/control-plane.ts';

/** The capability each timeline action needs (MIMI room policy names). */
const NEEDS: Record<TimelineAction, Capability> = {
  send: 'canSendMessage',
  react: 'canReactToMessage',
  editOwn: 'canEditOwnMessage',
  retractOwn: 'canDeleteOwnMessage',
  retractAny: 'canDeleteOtherMessage',
};

interface EpochView {
  readonly room: RoomState;
  /** Hex public keys of member devices. */
  readonly devices: ReadonlySet<string>;
  readonly users: ReadonlyMap<string, UserId>;
}

/**
 * The control plane as the data plane sees it: who was a member and with which role at each
 * epoch of this device's chain, from the epoch it joined on. Verdicts on timeline updates ask
 * about the epoch the update names, so every member on the same chain answers alike, whenever
 * it asks.
 *
 * History written before this device joined names epochs it never saw. Its authors must be
 * members it knows or devices the room state's cuts name (room/cuts.ts), so nobody can make up
 * an author that "wrote before you joined".
 */
export class ControlHistory implements ControlPlaneView {
  readonly #epochs = new Map<bigint, EpochView>();
  readonly #users = new Map<string, UserId>();
  /** Encoded device certificates by device public key (hex), to vouch for authors in sync. */
  readonly #certificates = new Map<string, Uint8Array>();
  #first: bigint | undefined;
  #head: bigint | undefined;
  /** The head room state's cuts by device (hex), sorted by seq. */
  #cuts = new Map<string, DeviceCut[]>();

  /** Records the epochs of a chain (on a fork switch, the winner's replace the loser's). */
  record(records: readonly EpochRecord[]): void {
    for (const r of records) {
      const devices = memberDevices(r.state);
      for (const d of devices) this.#certificates.set(toHex(d.publicKey), d.certificate);
      this.#add(
        r.epoch,
        r.room,
        devices.map((d) => [d.publicKey, d.userId] as const),
      );
    }
  }

  /**
   * Forgets epochs of a chain this device abandoned for one that shows only its head (a rejoin,
   * a newer Welcome): nothing is known of the new chain's states at those numbers.
   */
  forget(epochs: readonly bigint[]): void {
    for (const e of epochs) this.#epochs.delete(e);
    this.#first = undefined;
    for (const e of this.#epochs.keys())
      if (this.#first === undefined || e < this.#first) this.#first = e;
  }

  /** Reloads the history stored by RoomStore.putHistory, oldest first. */
  restore(entries: Iterable<HistoryEntry>): void {
    for (const e of entries) this.#add(e.epoch, e.room, e.members);
  }

  #add(epoch: bigint, room: RoomState, members: readonly (readonly [Uint8Array, UserId])[]): void {
    const users = new Map<string, UserId>();
    for (const [key, user] of members) {
      const hex = toHex(key);
      users.set(hex, user);
      this.#users.set(hex, user);
    }
    this.#epochs.set(epoch, { room, devices: new Set(users.keys()), users });
    if (this.#first === undefined || epoch < this.#first) this.#first = epoch;
    this.#head = epoch;
    // Epochs beyond the new head belong to an abandoned branch.
    for (const e of this.#epochs.keys()) if (e > epoch) this.#epochs.delete(e);
    this.#cuts = new Map();
    for (const c of room.cuts ?? []) {
      const hex = toHex(c.device);
      const list = this.#cuts.get(hex);
      if (list === undefined) this.#cuts.set(hex, [c]);
      else list.push(c);
    }
  }

  /** Where the device's timeline was cut (room/cuts.ts), by the room state at the head. */
  cutsOf(deviceHex: string): readonly DeviceCut[] {
    return this.#cuts.get(deviceHex) ?? [];
  }

  /** The room state at `epoch`, if that epoch is still known here. */
  roomAt(epoch: bigint): RoomState | undefined {
    return this.#epochs.get(epoch)?.room;
  }

  /** The room's disappearing time in `epoch` (history before joining: as at joining). */
  disappearAfterMs(epoch: bigint): number | undefined {
    return this.#view(epoch)?.room.disappearAfterMs;
  }

  /**
   * Whether what was written at `epoch` may be handed to `user` (history for a newcomer), by
   * the room's policy at that epoch: always under `all`; under `since-joined` only if the user
   * was a participant then. Epochs before this device's first were shared with it, so it
   * shares them on.
   */
  mayShare(user: UserId, epoch: bigint): boolean {
    const room = this.#epochs.get(epoch)?.room;
    if (room === undefined || room.history === 'all') return true;
    return (room.participants.get(user) ?? Roles.none) >= Roles.member;
  }

  #view(epoch: bigint): EpochView | undefined {
    const exact = this.#epochs.get(epoch);
    if (exact !== undefined) return exact;
    if (this.#first !== undefined && epoch < this.#first) return this.#epochs.get(this.#first);
    return undefined;
  }

  isMember(devicePublicKey: Uint8Array, epoch: bigint): boolean {
    const hex = toHex(devicePublicKey);
    // A member at the named epoch or at any later one on this chain (before this device joined:
    // at any epoch it knows; a device that left before is proven by its cut, cut-rules.ts). The epoch an author names
    // is the number it wrote in on its own branch; when that branch lost a fork, the same number
    // may mean an epoch of the winner that came just before the author was (re-)added. Every
    // member that saw the update on the abandoned branch accepted it, so must everyone else.
    if (this.#head === undefined || this.#first === undefined) return false;
    const from = epoch < this.#first ? this.#first : epoch;
    const cuts = this.#cuts.get(hex) ?? [];
    // The same for an epoch this device does not know (it rejoined past it): a device removed
    // later was a member then, and what it wrote after its cut is refused by the cut.
    if (!this.#epochs.has(epoch) && cuts.some((c) => c.removed && epoch < c.epoch)) return true;
    for (let e = from; e <= this.#head; e++) {
      if (this.#epochs.get(e)?.devices.has(hex) === true) return true;
    }
    return false;
  }

  userOf(devicePublicKey: Uint8Array): UserId | undefined {
    const hex = toHex(devicePublicKey);
    return this.#cuts.get(hex)?.[0]?.user ?? this.#users.get(hex);
  }

  /**
   * Learns the user of a device from its certificate (sent along with history written before
   * this device joined, by members who may have left). Returns the device if the certificate
   * verifies and was not known.
   */
  learnCertificate(encoded: Uint8Array): { publicKey: Uint8Array; user: UserId } | undefined {
    let certificate;
    try {
      certificate = decodeDeviceCertificate(encoded);
    } catch {
      return undefined;
    }
    const hex = toHex(certificate.devicePublicKey);
    if (this.#certificates.has(hex) || !verifyDeviceCertificate(certificate)) return undefined;
    const user = userIdFromPublicKey(certificate.userPublicKey);
    this.#users.set(hex, user);
    this.#certificates.set(hex, encoded);
    return { publicKey: certificate.devicePublicKey, user };
  }

  /** The certificates of the authors of these encoded signed updates, where known. */
  certificatesOf(updates: readonly Uint8Array[]): Uint8Array[] {
    const authors = new Set<string>();
    for (const u of updates) {
      const author = authorOfEncoded(u);
      if (author !== undefined) authors.add(toHex(author));
      // Otherwise not ours to judge here: the receiver refuses it.
    }
    const out: Uint8Array[] = [];
    for (const hex of authors) {
      const c = this.#certificates.get(hex);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  /**
   * Whether the user may act on the timeline as of `epoch`. Only acting on other people's
   * messages (retractAny, a moderator's power) is judged by the room state of that epoch. What
   * a member does with its own messages is allowed to every member the data plane admitted:
   * an epoch number can name different states on two branches of a fork, and a verdict that
   * one member reached on the losing branch must hold on the winner too. Roles that take away
   * sending are therefore enforced by the sender's own client (see docs/ARCHITECTURE.md).
   */
  can(userId: UserId, action: TimelineAction, epoch: bigint): boolean {
    if (action !== 'retractAny') return true;
    const view = this.#view(epoch);
    return view !== undefined && can(view.room, userId, NEEDS[action]);
  }

  currentEpoch(): bigint {
    return this.#head ?? 0n;
  }

  knowsEpoch(epoch: bigint): boolean {
    return this.#head !== undefined && epoch <= this.#head;
  }

  /** Whether the user is a participant (not banned) at the head. */
  isParticipant(user: UserId): boolean {
    const view = this.#head === undefined ? undefined : this.#epochs.get(this.#head);
    return view !== undefined && roleOf(view.room, user) >= Roles.member;
  }
}
