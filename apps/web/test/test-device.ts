import { MemoryLevel } from 'memory-level';
import {
  fromHex,
  KithClient,
  KvStore,
  toHex,
  type DeviceId,
  type RoomId,
  type TransportPort,
  type UserId,
} from '@kith/core';
import { createMemoryNetwork, type MemoryNetwork } from '@kith/core/testing';
import type { RelayState } from '../src/model/connection.ts';
import type { BlobsApi } from '../src/model/file-transfers.ts';
import type { ContactInfo, DeviceContact, MessengerDevice } from '../src/model/messenger.ts';

/**
 * A device for the view-model's unit tests: a real KithClient on core's in-memory network, with
 * contacts and key packages handed over in memory (what libp2p and relays do on a real device).
 */
export class TestDevice implements MessengerDevice {
  readonly client: KithClient;
  readonly #world: TestWorld;
  readonly #contacts: DeviceContact[] = [];
  readonly #appData = new Map<string, string>();
  /** The app's store, in memory (JSON, as the device's is). */
  readonly appData = {
    get: <T>(...key: string[]): Promise<T | undefined> => {
      const text = this.#appData.get(key.join('/'));
      return Promise.resolve(text === undefined ? undefined : (JSON.parse(text) as T));
    },
    put: (value: unknown, ...key: string[]): Promise<void> => {
      this.#appData.set(key.join('/'), JSON.stringify(value));
      return Promise.resolve();
    },
  };
  /** Files need libp2p: the e2e tests cover them. */
  readonly blobs: BlobsApi = {
    sendFile: () => Promise.reject(new Error('no files in unit tests')),
    download: () => {
      throw new Error('no files in unit tests');
    },
    open: () => Promise.reject(new Error('no files in unit tests')),
  };
  relays: RelayState[] = [];
  direct = 0;

  private constructor(client: KithClient, world: TestWorld) {
    this.client = client;
    this.#world = world;
  }

  /** `wrap` sees (and may change) what the client hands its transport. */
  static async open(
    world: TestWorld,
    name: string,
    wrap: (t: TransportPort) => TransportPort = (t) => t,
  ): Promise<TestDevice> {
    const client = await KithClient.open({
      storage: new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions),
      transport: (device) => wrap(world.network.endpoint(device.deviceId)),
      deviceName: name,
    });
    const device = new TestDevice(client, world);
    world.devices.set(client.userId, device);
    return device;
  }

  get userId(): UserId {
    return this.client.userId;
  }

  contactLink(displayName = '', devices: readonly DeviceId[] = [this.client.deviceId]): string {
    const key = toHex(this.client.device.certificate.userPublicKey);
    return JSON.stringify({ userId: this.userId, displayName, key, devices });
  }

  /** A link from `contactLink`: a newer one of the same user replaces the older. */
  addContact(link: string): Promise<ContactInfo> {
    const parsed = JSON.parse(link) as ContactInfo & { key: string; devices: DeviceId[] };
    const contact = { ...parsed, userPublicKey: fromHex(parsed.key) ?? new Uint8Array() };
    const at = this.#contacts.findIndex((c) => c.userId === contact.userId);
    if (at === -1) this.#contacts.push(contact);
    else this.#contacts[at] = contact;
    return Promise.resolve(contact);
  }

  contacts(): readonly DeviceContact[] {
    return this.#contacts;
  }

  async createRoom(options: {
    name?: string;
    dm?: boolean;
    members?: readonly UserId[];
  }): Promise<RoomId> {
    const invite: Uint8Array[] = [];
    for (const user of options.members ?? []) invite.push(await this.#keyPackage(user));
    return this.client.createRoom({
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.dm === undefined ? {} : { dm: options.dm }),
      invite,
    });
  }

  async invite(roomId: RoomId, user: UserId): Promise<void> {
    await this.client.invite(roomId, [await this.#keyPackage(user)]);
  }

  relayStatus(): readonly RelayState[] {
    return this.relays;
  }

  connectedDevices(): readonly unknown[] {
    return Array.from({ length: this.direct });
  }

  #keyPackage(user: UserId): Promise<Uint8Array> {
    const other = this.#world.devices.get(user);
    if (other === undefined) throw new Error(`no test device for ${user}`);
    return other.client.createKeyPackage();
  }
}

/** The devices of one test and their network. */
export class TestWorld {
  readonly network: MemoryNetwork = createMemoryNetwork();
  readonly devices = new Map<UserId, TestDevice>();

  async close(): Promise<void> {
    for (const d of this.devices.values()) await d.client.close();
  }
}

/** Resolves once `check` holds, checked now and after each change the client reports. */
export function until(client: KithClient, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const offs = (
      ['timeline', 'joined', 'receipts', 'typing', 'meta', 'room', 'sync', 'left'] as const
    ).map((type) =>
      client.on(type, () => {
        if (!check()) return;
        for (const off of offs) off();
        resolve();
      }),
    );
  });
}
