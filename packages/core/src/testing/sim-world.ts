import { KithClient } from '../client/kith-client.ts';
import { concatBytes, toHex } from '../crypto/bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { utf8 } from '../crypto/utf8.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { KvDatabase, KvOperation } from '../storage/store.ts';
import { SeededRandom } from './seeded-random.ts';
import { SimulatedNetwork } from './simulated-network.ts';
import type { NetworkConditions } from './simulation-options.ts';

export interface SimWorldOptions {
  readonly seed: number;
  readonly conditions?: Partial<NetworkConditions>;
  /** A new, empty database (memory-level in tests: `new MemoryLevel(KvStore.databaseOptions)`). */
  readonly openDatabase: () => KvDatabase;
  /**
   * Lets pending IO callbacks run (a macrotask turn, e.g. `setImmediate`): the core has no
   * timers of its own, so the runtime that drives the simulation lends one.
   */
  readonly yieldTurn: () => Promise<void>;
}

/**
 * Seeded devices on a simulated network, each a real KithClient on its own database, for
 * scenarios that run many seeds (chaos-scenario.ts). Everything random comes from the seed:
 * the network's draws, and each device's random port (which ts-mls draws from too), so one
 * seed replays byte for byte (`digest`).
 */
export class SimWorld {
  readonly network: SimulatedNetwork;
  readonly random: SeededRandom;
  readonly #options: SimWorldOptions;
  readonly #clients = new Map<string, KithClient>();
  readonly #dbs = new Map<string, KvDatabase>();
  readonly #ports = new Map<string, SeededRandom>();

  constructor(options: SimWorldOptions) {
    this.#options = options;
    this.random = new SeededRandom(options.seed);
    this.network = new SimulatedNetwork({
      seed: options.seed,
      ...options.conditions,
      settle: () => this.idle(),
    });
  }

  /** The devices by name, in the order they were added. */
  get names(): string[] {
    return [...this.#clients.keys()];
  }

  /** The device's client as it is now (a restart replaces it). */
  client(name: string): KithClient {
    const c = this.#clients.get(name);
    if (c === undefined) throw new Error(`no device ${name}`);
    return c;
  }

  clients(): KithClient[] {
    return [...this.#clients.values()];
  }

  async add(name: string): Promise<KithClient> {
    if (this.#clients.has(name)) throw new Error(`device ${name} exists`);
    const db = this.#options.openDatabase();
    this.#dbs.set(name, db);
    // One stream per device, forked in the order devices are added: a draw on one device
    // does not shift another's.
    this.#ports.set(name, this.random.fork());
    return this.#open(name);
  }

  async #open(name: string): Promise<KithClient> {
    const db = this.#dbs.get(name);
    const random = this.#ports.get(name);
    if (db === undefined || random === undefined) throw new Error(`no device ${name}`);
    const client = await KithClient.open({
      storage: db,
      transport: (device) => this.network.endpoint(device.deviceId),
      clock: this.network.clock,
      random,
      deviceName: name,
      onError: (error) => {
        throw error;
      },
    });
    this.#clients.set(name, client);
    return client;
  }

  /** Closes a device and opens it again from what it stored, as after a restart. */
  async restart(name: string): Promise<KithClient> {
    await this.client(name).close();
    return this.#open(name);
  }

  /**
   * A copy of a device's storage as it is now, in a new database (what a backup of the
   * device holds): for attackers that keep their state.
   */
  async copyStorage(name: string): Promise<KvDatabase> {
    const from = this.#dbs.get(name);
    if (from === undefined) throw new Error(`no device ${name}`);
    const to = this.#options.openDatabase();
    await to.open();
    const operations: KvOperation[] = [];
    const it = from.iterator({});
    for (let entry = await it.next(); entry !== undefined; entry = await it.next()) {
      operations.push({ type: 'put', key: entry[0], value: entry[1] });
    }
    await it.close();
    await to.batch(operations);
    return to;
  }

  async closeAll(): Promise<void> {
    for (const c of this.#clients.values()) await c.close();
  }

  /** Every client has handled every input it received (one settle of the simulator). */
  async idle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const clients = [...this.#clients.values()];
      await Promise.all(clients.map((c) => c.idle()));
      await this.#options.yieldTurn();
      if (clients.every((c) => c.isIdle)) return;
    }
  }

  async settle(maxSteps = 100_000): Promise<void> {
    await this.network.runUntilIdle({ maxSteps });
  }

  async tickAll(): Promise<void> {
    for (const c of this.#clients.values()) await c.tick();
    await this.settle();
  }

  deviceIds(): DeviceId[] {
    return [...this.#clients.values()].map((c) => c.deviceId);
  }

  /**
   * SHA-256 over every key and value of every device's database, devices in order: two runs
   * of one seed must give the same digest (close the devices first, so all is written).
   */
  async digest(): Promise<string> {
    const parts: Uint8Array[] = [];
    for (const [name, db] of this.#dbs) {
      if (db.status !== 'open') await db.open();
      parts.push(utf8(`device ${name}\n`));
      const it = db.iterator({});
      for (let entry = await it.next(); entry !== undefined; entry = await it.next()) {
        parts.push(utf8(`${entry[0]}=`), entry[1], utf8('\n'));
      }
      await it.close();
      await db.close();
    }
    return toHex(sha256(concatBytes(...parts)));
  }
}

/** The texts of a room's timeline as `client` shows it ('<retracted>' and '<kind>' for others). */
export function timelineTexts(client: KithClient, roomId: RoomId): string[] {
  return client.timeline(roomId).map((m) => {
    const body = m.content.body;
    if (m.retracted) return '<retracted>';
    return body.kind === 'single' ? new TextDecoder().decode(body.content) : `<${body.kind}>`;
  });
}
