import type { DeviceId, RevokeReport, UserId } from '@kith/core';
import type { KithNode, LinkRequest, OwnDevice } from '@kith/node';
import { AppError } from './app-error.ts';
import { qrRows } from './verify.ts';

/** A link shown for a new device: its text, the text as a QR code, and when it expires. */
export interface DeviceLinkView {
  readonly link: string;
  /** Rows of a QR code of the link (half blocks). */
  readonly qr: string[];
  readonly expiresAt: number;
}

/** A user's devices as their signed device list names them (a contact's, or this user's). */
export interface DeviceListEntry {
  readonly deviceId: DeviceId;
  readonly name: string;
  readonly addedAt: number;
}

/**
 * The user's devices for the chat and the daemon: link a new one (a one-time link, then the
 * code the new device shows, confirmed here), list them, revoke one. Contacts' devices are
 * read from their signed device lists.
 */
export class AppDevices {
  readonly #node: KithNode;

  constructor(node: KithNode) {
    this.#node = node;
  }

  /** This user's devices, this one first: name, added, connected now, last seen. */
  list(): OwnDevice[] {
    return this.#node.devices.list();
  }

  /** A new one-time link for a new device (`kith link LINK` there). */
  createLink(ttlMs?: number): DeviceLinkView {
    if (this.#node.client.userIdentity === undefined) {
      throw new AppError(
        'INVALID_PARAMS',
        'this device does not hold your user key: link from one that does',
      );
    }
    const shown = this.#node.devices.linker.create(ttlMs);
    return { link: shown.text, qr: qrRows(shown.text.toUpperCase()), expiresAt: shown.expiresAt };
  }

  /** New devices that opened a link and wait for the codes to be compared. */
  requests(): LinkRequest[] {
    return this.#node.devices.linker.requests();
  }

  /** Confirms (the codes match) or declines a waiting device. */
  confirm(deviceId: string, accept: boolean): { ok: true } {
    if (!this.#node.devices.linker.decide(deviceId as DeviceId, accept)) {
      throw new AppError('INVALID_PARAMS', 'no new device is waiting with that ID');
    }
    return { ok: true };
  }

  /** Revokes one of this user's devices, by ID, short ID or name. */
  revoke(device: string): Promise<RevokeReport> {
    return this.#node.devices.revoke(device);
  }

  /** A contact's devices by their newest signed list, and those they revoked. */
  of(user: UserId): { devices: DeviceListEntry[]; revoked: DeviceId[]; version: number } {
    const view = this.#node.client.deviceList(user);
    if (view === undefined) {
      throw new AppError(
        'UNKNOWN_CONTACT',
        'no signed device list of theirs reached this device yet',
      );
    }
    return { devices: [...view.devices], revoked: [...view.revoked], version: view.version };
  }
}
