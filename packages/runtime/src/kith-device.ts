import type { PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import {
  decodeContactLink,
  encodeContactLink,
  KithClient,
  KvStore,
  type ContactLink,
  type KvDatabase,
  type LinkedDevice,
  type DeviceId,
  type RoomId,
  type UserId,
} from '@kith/core';
import { AppData } from './app-data.ts';
import type { BlobRetention } from './media/blob-retention.ts';
import { BlobTransfers } from './media/blob-transfers.ts';
import { DeviceMedia } from './media/device-media.ts';
import type { ImageCodec } from './media/image-codec.ts';
import { KvBlobStore } from './media/kv-blob-store.ts';
import { learnContact, ownContactLink } from './contacts/contact-addresses.ts';
import { ContactBook } from './contacts/contact-book.ts';
import { describeContact, type Contact } from './contacts/contact.ts';
import { keyPackagesOf, withoutMembers } from './invitations.ts';
import { DeviceError } from './errors.ts';
import { UserDevices } from './devices/user-devices.ts';
import { AddressBook } from './net/address-book.ts';
import { dialDevice, dialKnownPeers } from './net/peer-dialing.ts';
import type {
  DeviceLibp2p,
  DeviceLibp2pFactory,
  DeviceNetworkOptions,
} from './net/device-libp2p.ts';
import type { Libp2pTransport } from './net/libp2p-transport.ts';
import { MemberLocator } from './net/member-locator.ts';
import { PeerGuard, type Misbehaviour } from './net/peer-guard.ts';
import { peerIdOfDeviceKey } from './net/peer-identity.ts';
import { Protocols } from './net/protocols.ts';
import { RelayKeeper, parseRelays, type RelayStatus } from './relay/relay-keeper.ts';
import { RelayLink } from './relay/relay-link.ts';
import { deviceTransport, type NetworkParts } from './device-network.ts';

export interface KithDeviceOptions extends DeviceNetworkOptions {
  /** The name this device shows to the user's other devices (first start only). */
  readonly deviceName?: string;
  /** How often background work runs: resends, member lookups, sync (default 2 s). */
  readonly tickMs?: number;
  /** Errors from background work and event handlers (default: ignored). */
  readonly onError?: (error: unknown) => void;
  /** A peer was cut off for breaking protocol. */
  readonly onMisbehaviour?: (m: Misbehaviour) => void;
  /** How often relay mailboxes are checked for news (default 10 s; also on connecting). */
  readonly mailboxPollMs?: number;
  /** First start only: be a new device of the user whose key a backup held (`openBackup`). */
  readonly restoredUserKey?: Uint8Array;
  /**
   * Asked to drop a blob once no message names it (see `BlobJanitor`); by default the room's
   * relays are asked to delete it.
   */
  readonly blobRetention?: BlobRetention;
  /** Decodes pictures for thumbnails (default: `PortableImageCodec`). */
  readonly imageCodec?: ImageCodec;
  /** First start only: be the device a link certified (see `linkNewDevice`). */
  readonly linkedDevice?: LinkedDevice;
}

/**
 * What a runtime gives a device: its database (opened; the device closes it) and how to build
 * its libp2p node. Everything else is the same on every runtime.
 */
export interface DevicePlatform<O extends KithDeviceOptions> {
  /** The device's database, open; the device closes it when it closes. */
  readonly db: KvDatabase & { close(): Promise<void> };
  /** Builds the device's libp2p node with the runtime's transports. */
  readonly createLibp2p: DeviceLibp2pFactory<O>;
  /** Runs once the device has closed (a browser tab then lets go of its lock). */
  readonly onClosed?: () => void;
}

/**
 * A Kith device on any runtime (`KithNode`, `KithBrowser`): the engine (`client`) over the
 * runtime's database, a libp2p node keyed by the device key, and the runtime's own duties:
 * contacts, fetching key packages to invite people, finding fellow members' devices, and the
 * periodic tick.
 */
export class KithDevice {
  /** The engine: rooms, messages, events, roles, receipts (see `KithClient`). */
  readonly client: KithClient;
  /** The app's own small data (profile, read markers), kept with the device. */
  readonly appData: AppData;
  /** The device's libp2p node, keyed by the device key (its peer ID names the device). */
  readonly libp2p: DeviceLibp2p;
  /** Encrypted files: send, download, serve (see `BlobTransfers`). */
  readonly blobs: BlobTransfers;
  /** Files with previews, voice messages, cancelling (see `DeviceMedia`). */
  readonly media: DeviceMedia;
  /** This user's devices: link, list, revoke (see `UserDevices`). */
  readonly devices: UserDevices;
  readonly #transport: Libp2pTransport;
  readonly #guard: PeerGuard;
  readonly #contacts: ContactBook;
  readonly #locator: MemberLocator;
  readonly #relayLink: RelayLink;
  readonly #relayKeeper: RelayKeeper;
  readonly #relayAddresses: readonly string[];
  readonly #relayTimer: ReturnType<typeof setInterval>;
  readonly #onError: (error: unknown) => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #ticking = false;
  #closing: Promise<void> | undefined;
  #onClosed: () => void = () => undefined;

  private constructor(
    client: KithClient,
    net: {
      libp2p: DeviceLibp2p;
      transport: Libp2pTransport;
      guard: PeerGuard;
      relayLink: RelayLink;
      relayKeeper: RelayKeeper;
      blobStore: KvBlobStore;
      kv: KvStore;
    },
    contacts: ContactBook,
    book: AddressBook,
    appData: AppData,
    options: KithDeviceOptions,
  ) {
    this.client = client;
    this.appData = appData;
    this.libp2p = net.libp2p;
    this.#transport = net.transport;
    this.#guard = net.guard;
    this.#relayLink = net.relayLink;
    this.#relayKeeper = net.relayKeeper;
    this.#relayAddresses = options.relays ?? [];
    this.#contacts = contacts;
    this.#onError = options.onError ?? (() => undefined);
    this.#locator = new MemberLocator(client, net.libp2p, net.transport);
    this.blobs = new BlobTransfers({
      client,
      libp2p: net.libp2p,
      store: net.blobStore,
      peersOf: (roomId, first) => this.#memberPeers(roomId, first),
      relaysOf: (roomId) => this.#relayLink.relaysOf(roomId),
      ...(options.blobRetention === undefined ? {} : { retention: options.blobRetention }),
      onError: this.#onError,
    });
    this.media = new DeviceMedia(client, this.blobs, options.imageCodec);
    this.devices = new UserDevices(
      { client, libp2p: net.libp2p, transport: net.transport, kv: net.kv },
      () => this.addresses(),
      () => void this.close(),
    );
    this.#timer = setInterval(() => void this.tick(), options.tickMs ?? 2000);
    this.#relayTimer = setInterval(() => {
      void this.visitRelays();
    }, options.mailboxPollMs ?? 10_000);
    dialKnownPeers(this.libp2p, () => this.isClosed);
    // Fellow devices' addresses are remembered for the next start; a relay that connects is
    // asked at once for what it kept.
    this.libp2p.addEventListener('peer:identify', (event) => {
      const { peerId, protocols, listenAddrs } = event.detail;
      if (this.#relayLink.isRelay(peerId)) void this.visitRelays();
      if (protocols.includes(Protocols.direct)) {
        book.remember(peerId, listenAddrs).catch(this.#onError);
      }
    });
    for (const type of ['joined', 'membership'] as const) {
      client.on(type, () => void this.#locator.run().catch(this.#onError));
    }
    // A relay may have connected while the device opened, before the listener above: ask now
    // rather than at the first poll (a visit dials relays it is not connected to).
    void this.visitRelays();
  }

  /** Opens the device in `platform.db`, creating its identity on first start. */
  static async open<O extends KithDeviceOptions>(
    options: O,
    platform: DevicePlatform<O>,
  ): Promise<KithDevice> {
    const { db } = platform;
    // A bad relay address is the caller's mistake: refuse it before touching anything.
    let relays: { peer: PeerId; address: Multiaddr }[];
    try {
      relays = parseRelays(options.relays ?? []);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    const guard = new PeerGuard();
    if (options.onMisbehaviour !== undefined) guard.onViolation(options.onMisbehaviour);
    const parts: NetworkParts = {};
    const kv = await KvStore.open(db);
    const book = new AddressBook(kv);
    try {
      // Loaded first: the engine asks it about inviters (the 'contacts' invite policy).
      const contacts = await ContactBook.load(kv);
      await UserDevices.refuseIfRevoked(kv);
      const client = await KithClient.open({
        storage: db,
        isContact: (user) => contacts.get(user) !== undefined,
        ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
        ...(options.restoredUserKey === undefined
          ? {}
          : { restoredUserKey: options.restoredUserKey }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
        ...(options.linkedDevice === undefined ? {} : { linkedDevice: options.linkedDevice }),
        transport: deviceTransport(options, platform.createLibp2p, guard, book, parts),
      });
      const net = parts.net;
      if (net === undefined) throw new Error('the engine opened without its transport');
      // Rooms record the relays of their members, so the others leave messages there too.
      client.setRelays((options.relays ?? []).slice(0, 8));
      const relayLink = new RelayLink(
        { client, libp2p: net.libp2p, transport: net.transport, kv },
        relays.map((r) => r.peer),
        options.onError ?? (() => undefined),
      );
      parts.relayLink = relayLink;
      const relayKeeper = new RelayKeeper(net.libp2p, relays);
      const node = new KithDevice(
        client,
        { ...net, guard, relayLink, relayKeeper, blobStore: new KvBlobStore(kv), kv },
        contacts,
        book,
        new AppData(kv),
        options,
      );
      parts.node = { client, locator: node.#locator };
      await node.blobs.start();
      await node.devices.start();
      if (platform.onClosed !== undefined) node.#onClosed = platform.onClosed;
      for (const c of contacts.all()) node.#learnContact(c);
      return node;
    } catch (error) {
      await parts.net?.transport.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /** This device's user. */
  get userId(): UserId {
    return this.client.userId;
  }

  /** This device. */
  get deviceId(): DeviceId {
    return this.client.deviceId;
  }

  /** True once `close` was called. */
  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /** Where this device listens, each ending in /p2p/<peer id>. */
  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** This user's contact link: their key, a name, this device and where to reach it. */
  contactLink(displayName = ''): string {
    return ownContactLink(this.client, this.libp2p, this.#relayAddresses, displayName);
  }

  /** Remembers a contact from their link and starts connecting to their devices. */
  async addContact(link: string): Promise<Contact> {
    const contact = decodeContactLink(link);
    await this.#contacts.add(contact);
    this.#learnContact(contact);
    for (const d of contact.devices) {
      this.libp2p.dial(peerIdOfDeviceKey(d.publicKey)).catch(() => undefined);
    }
    return describeContact(contact);
  }

  /** The contacts this device knows (added with `addContact`, kept across restarts). */
  contacts(): Contact[] {
    return this.#contacts.all().map(describeContact);
  }

  /** Every contact's latest link, as a backup keeps them. */
  contactLinks(): string[] {
    return this.#contacts.all().map((link) => encodeContactLink(link));
  }

  /** Connects to a multiaddr that ends in /p2p/<peer id>; resolves to that device's ID. */
  connect(address: string): Promise<DeviceId> {
    return dialDevice(this.libp2p, address);
  }

  /** One key package per device of `user` (asked directly, or taken from relays). */
  keyPackagesOf(user: UserId): Promise<Uint8Array[]> {
    return keyPackagesOf(
      {
        client: this.client,
        libp2p: this.libp2p,
        transport: this.#transport,
        contacts: this.#contacts,
        relayLink: this.#relayLink,
      },
      user,
    );
  }

  /** Creates a room with these users invited (their devices that are reachable now). */
  async createRoom(
    options: { name?: string; topic?: string; dm?: boolean; members?: readonly UserId[] } = {},
  ): Promise<RoomId> {
    const invite: Uint8Array[] = [];
    for (const user of options.members ?? []) invite.push(...(await this.keyPackagesOf(user)));
    return this.client.createRoom({
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.topic === undefined ? {} : { topic: options.topic }),
      ...(options.dm === undefined ? {} : { dm: options.dm }),
      invite,
    });
  }

  /** Invites a user: every device of theirs that is reachable now. */
  async invite(roomId: RoomId, user: UserId): Promise<void> {
    const packages = await this.keyPackagesOf(user);
    await this.client.invite(roomId, withoutMembers(this.client, roomId, user, packages));
  }

  /** Cuts this device off from another until `unblockDevice` (also what a network split does). */
  async blockDevice(device: DeviceId): Promise<void> {
    const peer = this.#peerOf(device);
    this.#guard.block(peer);
    await this.libp2p.hangUp(peer).catch(() => undefined);
  }

  /** Lifts a block and reconnects at once (a healed split should not wait for the next retry). */
  unblockDevice(device: DeviceId): void {
    const peer = this.#peerOf(device);
    this.#guard.unblock(peer);
    this.libp2p.dial(peer).catch(() => undefined);
  }

  /** Devices connected now that speak Kith. */
  connectedDevices(): DeviceId[] {
    return this.#transport.reachableDevices();
  }

  /** Background work, also run by the timer: member lookups, then the engine's tick. */
  async tick(): Promise<void> {
    if (this.#ticking || this.#closing !== undefined) return;
    this.#ticking = true;
    try {
      await this.#locator.run();
      await this.client.tick();
    } catch (error) {
      // Work cut short by close() is expected; anything else is reported.
      if (!this.isClosed) this.#onError(error);
    } finally {
      this.#ticking = false;
    }
  }

  /**
   * Collects what the relays kept for this device (inbox, room mailboxes) and tops up its key
   * packages there. Runs when a relay connects and every `mailboxPollMs`.
   */
  async visitRelays(): Promise<void> {
    if (this.isClosed) return;
    await this.#relayLink.visit();
  }

  /**
   * This device's relays: which it is connected to and reserved on (reachable through), and
   * for the others when it tries again and why the last attempt failed.
   */
  relayStatus(): RelayStatus[] {
    return this.#relayKeeper
      .status()
      .map((s) => ({ ...s, owed: this.#relayLink.owedTo(s.peerId) }));
  }

  /** Stops the timer, stores a snapshot of every room, stops libp2p and closes the database. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#relayTimer);
    this.#relayKeeper.close();
    await this.blobs.close();
    await this.devices.close();
    await this.#relayLink.flushed().catch(() => undefined);
    try {
      await this.client.close();
    } finally {
      this.#onClosed();
    }
  }

  // ---- internals -------------------------------------------------------------------------

  #learnContact(contact: ContactLink): void {
    learnContact(contact, this.libp2p, this.#transport).catch(this.#onError);
  }

  /** Peers of a room's member devices but this one, `first` first (blob sources). */
  #memberPeers(roomId: RoomId, first?: DeviceId): PeerId[] {
    const devices = this.client
      .members(roomId)
      .flatMap((m) => m.devices.map((d) => d.deviceId))
      .filter((d) => d !== this.deviceId)
      .sort((a, b) => Number(b === first) - Number(a === first));
    return devices.flatMap((d) => this.#transport.peerOf(d) ?? this.#locator.peerOf(d) ?? []);
  }

  #peerOf(device: DeviceId): PeerId {
    const peer = this.#transport.peerOf(device) ?? this.#locator.peerOf(device);
    if (peer === undefined) {
      throw new DeviceError('UNKNOWN_CONTACT', `device ${device} is not known to this device`);
    }
    return peer;
  }
}
