import type { KithClient, KithEventOf, RoomId, UserId } from '@kith/core';

/** One line of the log, as the chat's timeline shows it among the messages. */
export interface SystemItem {
  readonly kind: 'system';
  readonly ts: number;
  readonly text: string;
  /** On the line saying this device is out of the room: how it went. */
  readonly departure?: Departure;
}

/** How this device came to be out of a room. */
export type Departure = 'left' | 'removed' | 'banned';

/** Where the log keeps its lines between runs (the device's app data). */
export interface LogStore {
  /** The lines an earlier run kept, by room. */
  readonly kept: ReadonlyMap<string, readonly SystemItem[]>;
  save(roomId: string, lines: readonly SystemItem[]): void;
}

/** Lines kept per room: enough to scroll back through. */
const MAX_LINES = 500;

/** What the log reads from the engine (a KithClient; a fake in tests). */
export type RoomSource = Pick<KithClient, 'on' | 'room' | 'rooms' | 'userId'>;

interface Known {
  readonly roles: ReadonlyMap<string, string>;
  readonly name: string;
  readonly topic: string;
}

/**
 * Membership and room changes as lines in the timeline ("ben joined", "cai is now moderator").
 * The engine keeps no dated record of these, so they are what this device saw happen, when it
 * did: kept in its store (whichever of the chat and the daemon ran), so a restart shows them.
 */
export class SystemLog {
  readonly #source: RoomSource;
  readonly #nameOf: (user: UserId) => string;
  readonly #now: () => number;
  readonly #lines = new Map<string, SystemItem[]>();
  readonly #known = new Map<string, Known>();
  readonly #offs: (() => void)[];
  readonly #store: LogStore | undefined;
  /** Rooms where a membership line just said this device is out (the `left` event follows). */
  readonly #saidOut = new Set<string>();

  constructor(
    source: RoomSource,
    nameOf: (user: UserId) => string,
    now: () => number,
    store?: LogStore,
  ) {
    this.#source = source;
    this.#nameOf = nameOf;
    this.#now = now;
    this.#store = store;
    for (const [roomId, lines] of store?.kept ?? []) this.#lines.set(roomId, [...lines]);
    for (const r of source.rooms()) this.#known.set(r.roomId, this.#read(r.roomId));
    this.#offs = [
      source.on('membership', (e) => {
        this.#membership(e);
      }),
      source.on('room', (e) => {
        this.#room(e.roomId);
      }),
      source.on('joined', (e) => {
        this.#add(e.roomId, 'you joined');
        this.#known.set(e.roomId, this.#read(e.roomId));
      }),
      source.on('left', (e) => {
        // The membership event before it said how, when it named this user.
        if (this.#saidOut.delete(e.roomId)) return;
        this.#add(e.roomId, 'you are no longer in this room');
      }),
      source.on('devices', (e) => {
        this.#devices(e);
      }),
    ];
  }

  lines(roomId: string): readonly SystemItem[] {
    return this.#lines.get(roomId) ?? [];
  }

  /**
   * How this device came to be out of the room, if it is: from its last line saying so (kept
   * across restarts); undefined when it joined again since, or never left.
   */
  departure(roomId: string): Departure | undefined {
    const lines = this.#lines.get(roomId) ?? [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i];
      if (line?.departure !== undefined) return line.departure;
      if (line?.text === 'you joined') return undefined;
    }
    return undefined;
  }

  /** Starts following a room this log has not seen yet (one this device just created). */
  track(roomId: string): void {
    if (!this.#known.has(roomId)) this.#known.set(roomId, this.#read(roomId));
  }

  /** Adds a line of this session's own (a room it created, say). */
  note(roomId: string, text: string): void {
    this.#add(roomId, text);
  }

  close(): void {
    for (const off of this.#offs) off();
  }

  /** A user's signed device list changed: told in every room they are in. */
  #devices(e: KithEventOf<'devices'>): void {
    const who = this.#nameOf(e.userId);
    for (const r of this.#source.rooms()) {
      if (!r.participants.some((p) => p.userId === e.userId)) continue;
      // A first list names devices already in the room too: only new ones are news.
      const present = new Set(r.devices.map((d) => d.deviceId));
      const added = e.added.filter((d) => !present.has(d)).length;
      if (added > 0) this.#add(r.roomId, `${who} added a device (signed by their key)`);
      if (e.revoked.length > 0) this.#add(r.roomId, `${who} revoked a device`);
    }
  }

  #membership(e: KithEventOf<'membership'>): void {
    const after = this.#read(e.roomId);
    for (const user of e.added) this.#add(e.roomId, `${this.#nameOf(user)} joined`);
    const me = this.#source.userId;
    for (const user of e.removed) {
      const how = departureOf(e, user, after.roles.get(user) === 'banned');
      const who = user === me ? 'you' : this.#nameOf(user);
      const by = e.by === me ? 'you' : e.by === undefined ? undefined : this.#nameOf(e.by);
      let text: string;
      if (how === 'left') text = `${who} left`;
      else if (by === undefined) text = `${who} ${how === 'banned' ? 'was banned' : 'was removed'}`;
      else text = `${by} ${how} ${who}`;
      if (user === me) this.#saidOut.add(e.roomId);
      this.#add(e.roomId, text, user === me ? how : undefined);
    }
    this.#known.set(e.roomId, after);
  }

  /** Roles, name and topic: what changed since the last look. */
  #room(roomId: string): void {
    const before = this.#known.get(roomId);
    const after = this.#read(roomId);
    this.#known.set(roomId, after);
    if (before === undefined) return;
    for (const [user, role] of after.roles) {
      const was = before.roles.get(user);
      if (was === undefined || was === role) continue;
      const name = this.#nameOf(user as UserId);
      this.#add(roomId, role === 'banned' ? `${name} was banned` : `${name} is now ${role}`);
    }
    for (const [user, was] of before.roles) {
      if (was === 'banned' && !after.roles.has(user)) {
        this.#add(roomId, `${this.#nameOf(user as UserId)} was unbanned`);
      }
    }
    if (after.name !== before.name) this.#add(roomId, `room renamed to "${after.name}"`);
    if (after.topic !== before.topic) {
      this.#add(roomId, after.topic === '' ? 'topic cleared' : `topic: ${after.topic}`);
    }
  }

  #read(roomId: string): Known {
    // Room IDs reach the screen as the text the app gives out; the engine's are that text.
    const r = this.#source.room(roomId as RoomId);
    return {
      roles: new Map(r.participants.map((p) => [p.userId, p.role])),
      name: r.name,
      topic: r.topic,
    };
  }

  #add(roomId: string, text: string, departure?: Departure): void {
    const list = this.#lines.get(roomId) ?? [];
    const ts = this.#now();
    list.push(
      departure === undefined
        ? { kind: 'system', ts, text }
        : { kind: 'system', ts, text, departure },
    );
    if (list.length > MAX_LINES) list.splice(0, list.length - MAX_LINES);
    this.#lines.set(roomId, list);
    this.#store?.save(roomId, list);
  }
}

/**
 * A leave (the user proposed their own removal), else a removal by the committer; a ban when
 * the room now lists them as banned.
 */
function departureOf(e: KithEventOf<'membership'>, user: UserId, banned: boolean): Departure {
  if (banned) return 'banned';
  return e.left.includes(user) ? 'left' : 'removed';
}
