import { MemoryLevel } from 'memory-level';
import type { LinkedDevice } from '../../src/client/identity-store.ts';
import { KithClient } from '../../src/client/kith-client.ts';
import type { DeviceId, RoomId } from '../../src/ids.ts';
import type { TransportPort } from '../../src/ports/transport.ts';
import { KvStore, type KvDatabase } from '../../src/storage/store.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';
import { SimulatedNetwork } from '../../src/testing/simulated-network.ts';
import type { NetworkConditions } from '../../src/testing/simulation-options.ts';

/** A seeded world of devices on a simulated network, each a real KithClient on memory-level. */
export class World {
  readonly network: SimulatedNetwork;
  readonly clients: KithClient[] = [];
  readonly random: SeededRandom;
  readonly #dbs = new Map<KithClient, KvDatabase>();

  readonly #retainEpochs: number | undefined;
  readonly #rotateAfter: number | undefined;

  constructor(
    seed: number,
    conditions: Partial<NetworkConditions> = {},
    options: { retainEpochs?: number; rotateAfterMessages?: number } = {},
  ) {
    this.#retainEpochs = options.retainEpochs;
    this.#rotateAfter = options.rotateAfterMessages;
    this.random = new SeededRandom(seed);
    this.network = new SimulatedNetwork({
      seed,
      ...conditions,
      settle: () => this.idle(),
    });
  }

  async add(
    name = 'device',
    options: {
      db?: KvDatabase;
      onError?: (error: unknown) => void;
      linkedDevice?: LinkedDevice;
      /** Wraps the device's network endpoint (to watch or to bypass what the client sends). */
      wrap?: (transport: TransportPort) => TransportPort;
      restoredUserKey?: Uint8Array;
    } = {},
  ): Promise<KithClient> {
    const db = options.db ?? new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
    return this.#open(
      db,
      name,
      options.onError,
      options.linkedDevice,
      options.wrap,
      options.restoredUserKey,
    );
  }

  async #open(
    db: KvDatabase,
    name: string,
    onError: (error: unknown) => void = (error) => {
      throw error;
    },
    linkedDevice?: LinkedDevice,
    wrap: (transport: TransportPort) => TransportPort = (t) => t,
    restoredUserKey?: Uint8Array,
  ): Promise<KithClient> {
    const client = await KithClient.open({
      storage: db,
      transport: (device) => wrap(this.network.endpoint(device.deviceId)),
      clock: this.network.clock,
      random: this.random.fork(),
      deviceName: name,
      onError,
      ...(this.#retainEpochs === undefined ? {} : { retainEpochs: this.#retainEpochs }),
      ...(this.#rotateAfter === undefined ? {} : { rotateAfterMessages: this.#rotateAfter }),
      ...(linkedDevice === undefined ? {} : { linkedDevice }),
      ...(restoredUserKey === undefined ? {} : { restoredUserKey }),
    });
    this.clients.push(client);
    this.#dbs.set(client, db);
    return client;
  }

  /** Closes a client and opens its storage again (or `db`, what a crash left), as after a restart. */
  async restart(client: KithClient, db = this.#dbs.get(client)): Promise<KithClient> {
    if (db === undefined) throw new Error('unknown client');
    // A client whose storage died fails its last snapshot; it still lets go of everything.
    await client.close().catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'StorageError')) throw error;
    });
    this.clients.splice(this.clients.indexOf(client), 1);
    // memory-level keeps its data in the instance across close and open, as a disk would.
    return this.#open(db, 'restarted');
  }

  /** Every client has handled every input it received (one settle of the simulator). */
  async idle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await Promise.all(this.clients.map((c) => c.idle()));
      // A macrotask turn (setImmediate is Node-only; the suite runs in browsers too).
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (this.clients.every((c) => c.isIdle)) return;
    }
  }

  /** Delivers everything in flight, with ticks, until the network is quiet. */
  async settle(maxSteps = 100_000): Promise<void> {
    await this.network.runUntilIdle({ maxSteps });
  }

  async tickAll(): Promise<void> {
    for (const c of this.clients) await c.tick();
    await this.settle();
  }

  /** Invites each of `others` into the room, one key package per device. */
  async invite(owner: KithClient, roomId: RoomId, others: readonly KithClient[]): Promise<void> {
    const kps = await Promise.all(others.map((c) => c.createKeyPackage()));
    await owner.invite(roomId, kps);
    await this.settle();
  }

  deviceIds(): DeviceId[] {
    return this.clients.map((c) => c.deviceId);
  }
}

export function texts(client: KithClient, roomId: RoomId): string[] {
  return client.timeline(roomId).map((m) => {
    const body = m.content.body;
    if (m.retracted) return '<retracted>';
    return body.kind === 'single' ? new TextDecoder().decode(body.content) : `<${body.kind}>`;
  });
}
