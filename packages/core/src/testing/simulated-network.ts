import type { DeviceId } from '../ids.ts';
import type { ClockPort } from '../ports/clock.ts';
import { TransportError } from '../ports/transport-error.ts';
import type { InboundMessage, PeerEvent, TransportPort } from '../ports/transport.ts';
import { EventQueue, type Scheduled } from './event-queue.ts';
import { HandlerSet, type Handler } from './handler-set.ts';
import {
  checkConditions,
  reliableConditions,
  type DropReason,
  type NetworkConditions,
  type SimulatedNetworkOptions,
  type SimulationStats,
  type TraceEvent,
} from './simulation-options.ts';
import { SeededRandom } from './seeded-random.ts';
import { SimEndpoint, type SimHost } from './sim-endpoint.ts';

type SimEvent = Scheduled &
  (
    | {
        readonly kind: 'message';
        readonly from: DeviceId;
        readonly to: SimEndpoint;
        readonly message: InboundMessage;
      }
    | {
        readonly kind: 'peer';
        readonly to: SimEndpoint;
        readonly events: readonly PeerEvent[];
        /** The handlers registered when it happened (a later one learns it from its replay). */
        readonly handlers: readonly Handler<PeerEvent>[];
      }
    | { readonly kind: 'timer'; readonly callback: () => void; readonly timer: { active: boolean } }
  );

const DEFAULT_START = Date.UTC(2025, 0, 1);
const DEFAULT_MAX_STEPS = 100_000;
const SETTLE_TURNS = 32;

async function yieldMicrotasks(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await Promise.resolve();
}

/**
 * A deterministic network in virtual time for multi-device tests. Endpoints are ordinary
 * `TransportPort`s, but nothing arrives until the test calls `step`, `runUntilIdle` or
 * `advance`. Each message gets a seeded delay, may be dropped, duplicated or (with `reorder`)
 * overtaken, and never crosses a partition. Peer events follow partitions, joins and closes.
 */
export class SimulatedNetwork {
  /** Reads the virtual time; give it to every simulated device. */
  readonly clock: ClockPort = { now: () => this.#now };
  readonly #random: SeededRandom;
  readonly #settle: () => Promise<void>;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #endpoints = new Map<DeviceId, SimEndpoint>();
  /** Partition group per device; devices not listed share the group -1. */
  #groups = new Map<DeviceId, number>();
  /** Per link, the latest arrival scheduled, to keep links FIFO when `reorder` is off. */
  readonly #lastArrival = new Map<SimEndpoint, Map<SimEndpoint, number>>();
  readonly #trace = new HandlerSet<TraceEvent>();
  readonly #host: SimHost;
  #conditions: NetworkConditions;
  #now: number;
  #seq = 0;
  #stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(options: SimulatedNetworkOptions) {
    const { seed, startTime = DEFAULT_START, settle = yieldMicrotasks, ...conditions } = options;
    this.#random = new SeededRandom(seed);
    this.#settle = settle;
    this.#now = startTime;
    this.#conditions = checkConditions({ ...reliableConditions, ...conditions });
    this.#host = {
      publish: (from, topic, data) => {
        for (const to of this.#endpoints.values()) {
          if (to !== from && to.topics.has(topic) && this.canReach(from.self, to.self)) {
            this.#send(from, to, { kind: 'topic', topic, data });
          }
        }
      },
      sendTo: (from, device, data) => {
        const to = this.#endpoints.get(device);
        if (to === undefined || to === from || !this.canReach(from.self, device)) {
          return new TransportError('TRANSPORT_UNREACHABLE', `${from.self} cannot reach ${device}`);
        }
        this.#send(from, to, { kind: 'direct', from: from.self, data });
        return undefined;
      },
      replayPeers: (to, handler) => {
        const events = this.#reachableFrom(to).map((device) => ({ device, reachable: true }));
        this.#push({ kind: 'peer', to, events, handlers: [handler] }, 0);
      },
      left: (endpoint) => {
        this.#endpoints.delete(endpoint.self);
        for (const other of this.#endpoints.values()) {
          if (this.canReach(endpoint.self, other.self))
            this.#peerEvent(other, endpoint.self, false);
        }
      },
    };
  }

  /** Current virtual time (ms since the Unix epoch). */
  get now(): number {
    return this.#now;
  }

  /** Scheduled deliveries, peer events and timers not yet run. */
  get pending(): number {
    return this.#queue.size;
  }

  get stats(): SimulationStats {
    return { ...this.#stats };
  }

  /** Devices with an open endpoint, in the order they joined. */
  get devices(): readonly DeviceId[] {
    return [...this.#endpoints.keys()];
  }

  /** Joins the network as `device`; those it can reach are told (on the next step). */
  endpoint(device: DeviceId): TransportPort {
    if (this.#endpoints.has(device))
      throw new Error(`device ${device} already has an open endpoint`);
    const endpoint = new SimEndpoint(device, this.#host);
    for (const other of this.#endpoints.values()) {
      if (this.canReach(device, other.self)) this.#peerEvent(other, device, true);
    }
    this.#endpoints.set(device, endpoint);
    return endpoint;
  }

  /** Changes the conditions for messages sent from now on. */
  configure(conditions: Partial<NetworkConditions>): void {
    this.#conditions = checkConditions({ ...this.#conditions, ...conditions });
  }

  /**
   * Splits the network: devices in different groups cannot reach each other, and devices in
   * no group form one more group together. Messages already under way across the new split
   * are lost when they would arrive.
   */
  partition(groups: readonly (readonly DeviceId[])[]): void {
    const next = new Map<DeviceId, number>();
    groups.forEach((group, index) => {
      for (const device of group) {
        if (next.has(device)) throw new Error(`device ${device} is in two partition groups`);
        next.set(device, index);
      }
    });
    this.#regroup(next);
  }

  /** Ends every partition. */
  heal(): void {
    this.#regroup(new Map());
  }

  canReach(a: DeviceId, b: DeviceId): boolean {
    return (this.#groups.get(a) ?? -1) === (this.#groups.get(b) ?? -1);
  }

  /** Runs `callback` at virtual time now + `delayMs`, in order with deliveries. Returns a cancel function. */
  schedule(delayMs: number, callback: () => void): () => void {
    if (!(Number.isFinite(delayMs) && delayMs >= 0))
      throw new RangeError(`delay ${delayMs} is not a duration`);
    const timer = { active: true };
    this.#push({ kind: 'timer', callback, timer }, delayMs);
    return () => {
      timer.active = false;
    };
  }

  /** Observes every delivery and drop (for assertions, or to record a run). */
  onTrace(handler: (event: TraceEvent) => void): () => void {
    const registration = this.#trace.add(handler);
    return () => {
      this.#trace.remove(registration);
    };
  }

  /**
   * Runs the next scheduled event, moving virtual time to it. Returns false when nothing is
   * scheduled. A handler's exception propagates from here.
   */
  step(): boolean {
    const event = this.#queue.pop();
    if (event === undefined) return false;
    this.#now = Math.max(this.#now, event.at);
    switch (event.kind) {
      case 'message':
        this.#deliver(event.from, event.to, event.message);
        break;
      case 'peer':
        for (const e of event.events) event.to.peers.emit(e, event.handlers);
        break;
      case 'timer':
        if (event.timer.active) event.callback();
        break;
    }
    return true;
  }

  /** Steps until nothing is scheduled; throws if that takes more than `maxSteps`. */
  async runUntilIdle({
    maxSteps = DEFAULT_MAX_STEPS,
  }: { maxSteps?: number } = {}): Promise<number> {
    return this.#run(Infinity, maxSteps);
  }

  /**
   * Runs everything due within the next `ms` virtual milliseconds, then sets the clock to
   * exactly now + `ms`. Throws if that takes more than `maxSteps`.
   */
  async advance(
    ms: number,
    { maxSteps = DEFAULT_MAX_STEPS }: { maxSteps?: number } = {},
  ): Promise<number> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advance(${ms}): not a duration`);
    const until = this.#now + ms;
    const steps = await this.#run(until, maxSteps);
    this.#now = until;
    return steps;
  }

  async #run(until: number, maxSteps: number): Promise<number> {
    for (let steps = 0; ; steps++) {
      await this.#settle();
      const next = this.#queue.peek();
      if (next === undefined || next.at > until) return steps;
      if (steps >= maxSteps) {
        throw new Error(
          `the simulated network is not idle after ${maxSteps} steps (${this.#queue.size} events pending at t=${this.#now})`,
        );
      }
      this.step();
    }
  }

  #send(from: SimEndpoint, to: SimEndpoint, message: InboundMessage): void {
    this.#stats.sent++;
    const c = this.#conditions;
    // Both draws happen whatever the probabilities, so the stream never depends on them.
    const dropped = this.#random.chance(c.dropProbability);
    const duplicated = this.#random.chance(c.duplicateProbability);
    if (dropped) {
      this.#drop(from.self, to.self, 'random');
      return;
    }
    if (duplicated) this.#stats.duplicated++;
    for (let copy = 0; copy < (duplicated ? 2 : 1); copy++) {
      let at = this.#now + this.#random.intBetween(c.minDelayMs, c.maxDelayMs);
      if (!c.reorder) {
        const link = this.#lastArrival.get(from) ?? new Map<SimEndpoint, number>();
        this.#lastArrival.set(from, link);
        at = Math.max(at, link.get(to) ?? at);
        link.set(to, at);
      }
      // Each arrival gets its own copy, as over a wire: no one shares the sender's buffer.
      const own: InboundMessage = { ...message, data: message.data.slice() };
      this.#push({ kind: 'message', from: from.self, to, message: own }, at - this.#now);
    }
  }

  #deliver(from: DeviceId, to: SimEndpoint, message: InboundMessage): void {
    const reason: DropReason | undefined = to.closed
      ? 'closed'
      : !this.canReach(from, to.self)
        ? 'partition'
        : message.kind === 'topic' && !to.topics.has(message.topic)
          ? 'unsubscribed'
          : undefined;
    if (reason !== undefined) {
      this.#drop(from, to.self, reason);
      return;
    }
    this.#stats.delivered++;
    this.#trace.emit({ type: 'deliver', time: this.#now, from, to: to.self, message });
    to.messages.emit(message);
  }

  #drop(from: DeviceId, to: DeviceId, reason: DropReason): void {
    this.#stats.dropped++;
    this.#trace.emit({ type: 'drop', time: this.#now, from, to, reason });
  }

  #peerEvent(to: SimEndpoint, device: DeviceId, reachable: boolean): void {
    const handlers = to.peers.snapshot();
    this.#push({ kind: 'peer', to, events: [{ device, reachable }], handlers }, 0);
  }

  #reachableFrom(endpoint: SimEndpoint): DeviceId[] {
    return [...this.#endpoints.keys()].filter(
      (device) => device !== endpoint.self && this.canReach(device, endpoint.self),
    );
  }

  #push(event: DistributiveOmit<SimEvent, 'at' | 'seq'>, delayMs: number): void {
    this.#queue.push({ ...event, at: this.#now + delayMs, seq: this.#seq++ });
  }

  /** Applies new groups and tells both ends of every link that opened or closed. */
  #regroup(groups: Map<DeviceId, number>): void {
    const endpoints = [...this.#endpoints.values()];
    const before = endpoints.map((a) => endpoints.map((b) => this.canReach(a.self, b.self)));
    this.#groups = groups;
    endpoints.forEach((a, i) => {
      endpoints.forEach((b, j) => {
        const now = this.canReach(a.self, b.self);
        if (i !== j && before[i]?.[j] !== now) this.#peerEvent(a, b.self, now);
      });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
