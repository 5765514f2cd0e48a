import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The chat's own file in the data directory: the rooms list's order and the room last open. */
const FILE = 'chat-rooms.json';

/**
 * The order rooms are listed (and numbered) in, kept between runs: rooms keep their place, a
 * new room goes to the end, and the chat opens again on the room it showed last. The engine's
 * own order depends on how its storage loads, which differs from run to run.
 */
export class RoomOrder {
  readonly #path: string | undefined;
  readonly #onError: (error: unknown) => void;
  #ids: string[];
  #open: string | undefined;
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    path: string | undefined,
    saved: { rooms?: unknown; open?: unknown },
    onError: (error: unknown) => void,
  ) {
    this.#path = path;
    this.#onError = onError;
    this.#ids = Array.isArray(saved.rooms)
      ? saved.rooms.filter((r): r is string => typeof r === 'string')
      : [];
    this.#open = typeof saved.open === 'string' ? saved.open : undefined;
  }

  /** The order saved in `dataDir` (none yet, or unreadable: the engine's order). */
  static load(dataDir: string, onError: (error: unknown) => void): RoomOrder {
    const path = join(dataDir, FILE);
    let saved: { rooms?: unknown; open?: unknown } = {};
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
    } catch {
      // No file yet (or a damaged one): start from the engine's order.
    }
    return new RoomOrder(path, saved, onError);
  }

  /** An order kept in memory only (tests). */
  static inMemory(): RoomOrder {
    return new RoomOrder(undefined, {}, () => undefined);
  }

  /** The room shown when the chat last ran. */
  get lastOpen(): string | undefined {
    return this.#open;
  }

  /** `rooms` in the kept order, new ones after the rest in the order given. */
  arrange<T extends { readonly roomId: string }>(rooms: readonly T[]): T[] {
    const place = new Map(this.#ids.map((id, i) => [id, i]));
    const known = rooms.filter((r) => place.has(r.roomId));
    const fresh = rooms.filter((r) => !place.has(r.roomId));
    known.sort((a, b) => (place.get(a.roomId) ?? 0) - (place.get(b.roomId) ?? 0));
    if (fresh.length > 0) {
      this.#ids.push(...fresh.map((r) => r.roomId));
      this.#save();
    }
    return [...known, ...fresh];
  }

  /** Notes the room on screen, to open it again next time. */
  opened(roomId: string): void {
    if (roomId === this.#open) return;
    this.#open = roomId;
    this.#save();
  }

  /** Resolves once what was noted is on disk. */
  flushed(): Promise<void> {
    return this.#saving;
  }

  #save(): void {
    const path = this.#path;
    if (path === undefined) return;
    const text = `${JSON.stringify({ rooms: this.#ids, open: this.#open })}\n`;
    this.#saving = this.#saving.then(() => writeFile(path, text)).catch(this.#onError);
  }
}
