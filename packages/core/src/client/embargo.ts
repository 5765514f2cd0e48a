import { toHex } from '../crypto/bytes.ts';

/**
 * Devices removed on a branch this device abandoned and still members on the winning one
 * (by device public key): nothing written after their removal may reach them, so resends and
 * data sync to them wait until the removal is committed again, or until they are gone.
 */
export class Embargo {
  readonly #held = new Set<string>();

  /** Whether anything is held back at all (the outbox waits while it is). */
  get active(): boolean {
    return this.#held.size > 0;
  }

  holds(publicKey: Uint8Array): boolean {
    return this.#held.has(toHex(publicKey));
  }

  /**
   * After a fork switch: members at the fork epoch that were gone at the end of the abandoned
   * branch, and are members again now (all as device public key hex).
   */
  afterSwitch(atFork: readonly string[], lostEnd: readonly string[], now: readonly string[]): void {
    const stayed = new Set(lostEnd);
    const kept = new Set(now);
    for (const hex of atFork) if (!stayed.has(hex) && kept.has(hex)) this.#held.add(hex);
  }

  /** Lifts the embargo on devices that are no longer members (their removal was made again). */
  keepOnly(members: readonly string[]): void {
    const present = new Set(members);
    for (const hex of this.#held) if (!present.has(hex)) this.#held.delete(hex);
  }
}
