import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The chat's notification settings in the data directory (notifications are the terminal's). */
const FILE = 'chat-notify.json';

/**
 * Whether the chat notifies at all, and the rooms it keeps quiet about (`/notify`, `/mute`),
 * kept between runs.
 */
export class NotifySettings {
  readonly #path: string | undefined;
  readonly #onError: (error: unknown) => void;
  #enabled: boolean;
  readonly #muted: Set<string>;
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    path: string | undefined,
    saved: { enabled?: unknown; muted?: unknown },
    onError: (error: unknown) => void,
  ) {
    this.#path = path;
    this.#onError = onError;
    this.#enabled = saved.enabled !== false;
    this.#muted = new Set(
      Array.isArray(saved.muted) ? saved.muted.filter((r) => typeof r === 'string') : [],
    );
  }

  /** The settings saved in `dataDir` (none yet, or unreadable: on, nothing muted). */
  static load(dataDir: string, onError: (error: unknown) => void): NotifySettings {
    const path = join(dataDir, FILE);
    let saved: { enabled?: unknown; muted?: unknown } = {};
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
    } catch {
      // No file yet (or a damaged one): the defaults.
    }
    return new NotifySettings(path, saved, onError);
  }

  /** Settings kept in memory only (tests). */
  static inMemory(): NotifySettings {
    return new NotifySettings(undefined, {}, () => undefined);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  setEnabled(on: boolean): void {
    this.#enabled = on;
    this.#save();
  }

  muted(roomId: string): boolean {
    return this.#muted.has(roomId);
  }

  setMuted(roomId: string, muted: boolean): void {
    if (muted) this.#muted.add(roomId);
    else this.#muted.delete(roomId);
    this.#save();
  }

  /** Whether something in `roomId` may notify. */
  allows(roomId: string): boolean {
    return this.#enabled && !this.#muted.has(roomId);
  }

  /** Resolves once what was set is on disk. */
  flushed(): Promise<void> {
    return this.#saving;
  }

  #save(): void {
    const path = this.#path;
    if (path === undefined) return;
    const text = `${JSON.stringify({ enabled: this.#enabled, muted: [...this.#muted] })}\n`;
    this.#saving = this.#saving.then(() => writeFile(path, text)).catch(this.#onError);
  }
}
