import { safetyNumber, type UserId } from '@kith/core';
import type { KithNode } from '@kith/node';
import { encode } from 'uqr';
import { AppError } from './app-error.ts';
import type { KithApp } from './kith-app.ts';

/** A contact's safety number, its QR code, and whether this user marked it verified. */
export interface SafetyView {
  readonly userId: UserId;
  readonly displayName: string;
  /** 60 digits in 12 groups of 5: the same on both users' devices. */
  readonly safetyNumber: string;
  /** The number as a QR code (its digits), drawn in half blocks, one string per terminal row. */
  readonly qr: string[];
  readonly verified: boolean;
  /** When it was marked verified (ms since the epoch, this device's clock), or null. */
  readonly verifiedAt: number | null;
  /**
   * Verified, but the contact has a device that was not theirs then and that no device list
   * signed by their (verified) key names: a device added or replaced outside their list.
   */
  readonly devicesChanged: boolean;
}

/** What is kept when a contact is marked verified (app data `verified/<user>`). */
interface VerifiedMark {
  readonly number: string;
  readonly at: number;
  readonly devices: readonly string[];
}

/**
 * Contact verification: the safety number of this user and a contact (core's
 * identity/safety-number.ts, from both identity keys), shown as digits and a QR code, and the
 * user's mark that they compared it, kept on this device with the devices the contact had.
 */
export class AppVerify {
  readonly #node: KithNode;
  readonly #nameOf: (user: UserId) => string;
  readonly #now: () => number;

  constructor(node: KithNode, nameOf: (user: UserId) => string, now: () => number) {
    this.#node = node;
    this.#nameOf = nameOf;
    this.#now = now;
  }

  async view(user: UserId): Promise<SafetyView> {
    const number = this.#number(user);
    const mark = await this.#node.appData.get<VerifiedMark | null>('verified', user);
    // A mark for another number (it cannot change for one user ID, but stored data can) is void.
    const valid = mark?.number === number ? mark : undefined;
    const devices = this.#devices(user);
    return {
      userId: user,
      displayName: this.#nameOf(user),
      safetyNumber: number,
      qr: qrRows(number.replaceAll(' ', '')),
      verified: valid !== undefined,
      verifiedAt: valid?.at ?? null,
      // Devices their signed device list names carry the verification over: the list is
      // signed by the very key whose safety number was compared. Others are a change.
      devicesChanged: valid !== undefined && devices.some((d) => !valid.devices.includes(d)),
    };
  }

  /** Marks the contact verified (after comparing the number) or takes the mark back. */
  async setVerified(user: UserId, verified: boolean): Promise<SafetyView> {
    const number = this.#number(user);
    const mark: VerifiedMark | null = verified
      ? { number, at: this.#now(), devices: this.#devices(user) }
      : null;
    await this.#node.appData.put(mark, 'verified', user);
    return this.view(user);
  }

  #number(user: UserId): string {
    if (user === this.#node.userId) {
      throw new AppError('INVALID_PARAMS', 'a safety number is between you and someone else');
    }
    const theirs = this.#node.contacts().find((c) => c.userId === user)?.userPublicKey;
    if (theirs === undefined) {
      throw new AppError('UNKNOWN_CONTACT', 'add their contact link first: it carries their key');
    }
    return safetyNumber(this.#node.client.device.certificate.userPublicKey, theirs);
  }

  /** The contact's devices their link named that no list signed by their key names. */
  #devices(user: UserId): string[] {
    const contact = this.#node.contacts().find((c) => c.userId === user);
    const signed = this.#node.client.deviceList(user);
    const listed = new Set<string>(signed?.devices.map((d) => d.deviceId) ?? []);
    return [...(contact?.devices ?? [])].filter((d) => !listed.has(d)).sort();
  }
}

/** The app's verification (it keeps nothing in memory: one per call will do). */
export function verifierOf(app: KithApp): AppVerify {
  return new AppVerify(app.node, (u) => app.nameOf(u), Date.now);
}

/**
 * A QR code in half blocks: two modules per character row. Light modules are drawn and dark
 * ones left blank, so on a dark terminal the code shows dark on light, as scanners expect.
 */
export function qrRows(text: string): string[] {
  const { data } = encode(text, { ecc: 'M', border: 2 });
  const rows: string[] = [];
  for (let y = 0; y < data.length; y += 2) {
    const top = data[y] ?? [];
    const bottom = data[y + 1];
    let row = '';
    for (let x = 0; x < top.length; x++) {
      const upper = top[x] !== true;
      const lower = bottom !== undefined && bottom[x] !== true;
      row += upper ? (lower ? '█' : '▀') : lower ? '▄' : ' ';
    }
    rows.push(row);
  }
  return rows;
}
