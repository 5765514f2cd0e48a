import {
  decodeCbor,
  encodeCbor,
  joinKey,
  keyPrefix,
  toHex,
  type CborMap,
  type CborValue,
  type InboxResponse,
  type KvStore,
} from '@kith/core';
import { sha256 } from '@noble/hashes/sha2.js';

/** How long a Welcome waits for a relay to take it; the key package it uses ages out too. */
export const DEPOSIT_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Welcomes kept at most (oldest given up first): a bound on what a busy inviter stores. */
export const MAX_DEPOSITS = 256;

const PREFIX = keyPrefix('node', 'deposit');

/** Why a relay did not take a Welcome for good: refused it (full, a stranger), or unreachable. */
export type DepositOutcome =
  | { readonly kind: 'taken' }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'unreachable' };

/** One Welcome waiting for relays: to whom, the frame, since when, and the relays still owed. */
interface Pending {
  readonly to: Uint8Array;
  readonly frame: Uint8Array;
  readonly at: number;
  readonly relays: readonly string[];
}

/** What WelcomeDeposits needs from its surroundings. */
export interface DepositPorts {
  readonly kv: KvStore;
  /** Leaves the frame in `to`'s inbox on `relay`; throws when the relay cannot be reached. */
  readonly deposit: (relay: string, to: Uint8Array, frame: Uint8Array) => Promise<InboxResponse>;
  readonly now: () => number;
  /** A relay refused a Welcome, or one was given up: said once, in the user's words. */
  readonly onError: (error: Error) => void;
}

/**
 * Welcomes for devices that were offline when they were invited, on their way to those devices'
 * inboxes on the relays. Each is written to storage before the first try and stays there until
 * every relay has taken or refused it, so a relay that is down or slow, or a restart of this
 * device, does not lose an invitation: `flush` offers what is left again at each relay visit.
 */
export class WelcomeDeposits {
  readonly #ports: DepositPorts;
  readonly #relays: readonly string[];
  #queue: Promise<void> = Promise.resolve();

  constructor(ports: DepositPorts, relays: readonly string[]) {
    this.#ports = ports;
    this.#relays = relays;
  }

  /** Keeps a Welcome for `to` (a device's public key) and offers it to every relay. */
  add(to: Uint8Array, frame: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      if (this.#relays.length === 0) return;
      const pending: Pending = { to, frame, at: this.#ports.now(), relays: this.#relays };
      await this.#ports.kv.put(keyOf(to, frame), encode(pending));
      await this.#dropBeyondLimit();
      await this.#offer(keyOf(to, frame), pending);
    });
  }

  /** Offers every kept Welcome again to the relays that have not taken it yet. */
  flush(): Promise<void> {
    return this.#serial(async () => {
      for (const [key, pending] of await this.#all()) {
        if (this.#ports.now() - pending.at > DEPOSIT_TTL_MS) {
          await this.#ports.kv.del(key);
          this.#ports.onError(new Error(givenUp(pending, 'it waited too long for a relay')));
          continue;
        }
        await this.#offer(key, pending);
      }
    });
  }

  /** How many Welcomes still wait for a relay. */
  async size(): Promise<number> {
    return (await this.#all()).length;
  }

  async #offer(key: string, pending: Pending): Promise<void> {
    const left: string[] = [];
    let refusal: string | undefined;
    for (const relay of pending.relays) {
      const outcome = await this.#try(relay, pending);
      if (outcome.kind === 'unreachable') left.push(relay);
      if (outcome.kind === 'refused') refusal ??= outcome.message;
    }
    if (refusal !== undefined) {
      this.#ports.onError(new Error(`A relay refused an invitation: ${refusal}`));
    }
    if (left.length === 0) await this.#ports.kv.del(key);
    else if (left.length < pending.relays.length) {
      await this.#ports.kv.put(key, encode({ ...pending, relays: left }));
    }
  }

  async #try(relay: string, pending: Pending): Promise<DepositOutcome> {
    try {
      const response = await this.#ports.deposit(relay, pending.to, pending.frame);
      if (response.type === 'refused') return { kind: 'refused', message: response.message };
      return { kind: 'taken' };
    } catch {
      return { kind: 'unreachable' };
    }
  }

  async #dropBeyondLimit(): Promise<void> {
    const all = await this.#all();
    const excess = all.length - MAX_DEPOSITS;
    if (excess <= 0) return;
    const oldest = [...all].sort(([, a], [, b]) => a.at - b.at).slice(0, excess);
    for (const [key, pending] of oldest) {
      await this.#ports.kv.del(key);
      this.#ports.onError(new Error(givenUp(pending, `more than ${MAX_DEPOSITS} were waiting`)));
    }
  }

  async #all(): Promise<[string, Pending][]> {
    const out: [string, Pending][] = [];
    for await (const [key, value] of this.#ports.kv.entries({ prefix: PREFIX })) {
      const pending = decode(value);
      // Unreadable (a damaged disk): dropping it is all that can be done, and is said.
      if (pending === undefined) {
        await this.#ports.kv.del(key);
        this.#ports.onError(new Error('A stored invitation was unreadable and was dropped.'));
        continue;
      }
      out.push([key, pending]);
    }
    return out;
  }

  /** One change at a time: `add` and `flush` both rewrite entries. */
  #serial(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function givenUp(pending: Pending, why: string): string {
  const device = toHex(pending.to).slice(0, 12);
  return `An invitation for device ${device} was given up (${why}): invite them again once they are online.`;
}

function keyOf(to: Uint8Array, frame: Uint8Array): string {
  const digest = sha256(new Uint8Array([...to, ...frame]));
  return joinKey('node', 'deposit', toHex(digest));
}

function encode(p: Pending): Uint8Array {
  return encodeCbor(
    new Map<string, CborValue>([
      ['to', p.to],
      ['frame', p.frame],
      ['at', p.at],
      ['relays', [...p.relays]],
    ]),
  );
}

function decode(bytes: Uint8Array): Pending | undefined {
  try {
    const value: CborValue = decodeCbor(bytes);
    if (!(value instanceof Map)) return undefined;
    const m = value as CborMap;
    const to = m.get('to');
    const frame = m.get('frame');
    const at = m.get('at');
    const relays = m.get('relays');
    if (!(to instanceof Uint8Array) || !(frame instanceof Uint8Array)) return undefined;
    if (typeof at !== 'number' || !Array.isArray(relays)) return undefined;
    if (!relays.every((r): r is string => typeof r === 'string')) return undefined;
    return { to, frame, at, relays };
  } catch {
    return undefined;
  }
}
