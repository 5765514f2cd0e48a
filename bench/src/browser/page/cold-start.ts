import { KithBrowser, openBrowserDatabase } from '@kith/browser';
import { textPart, type ImportItem, type RoomId } from '@kith/core';

export interface PopulateFigures {
  readonly rooms: number;
  readonly messages: number;
  readonly ms: number;
}

export interface ColdStartFigures {
  /**
   * From the tab's navigation start to every room listed with its latest message: the page's
   * script loaded and run, then `openMs` and `listMs` (the wait for the harness to call in
   * between is left out).
   */
  readonly sinceNavigationMs: number;
  /** When the page's script had run, since navigation start. */
  readonly loadedMs: number;
  /** `KithBrowser.open` alone, and the listing after it. */
  readonly openMs: number;
  readonly listMs: number;
  readonly rooms: number;
  /** Messages the rooms' timelines hold (what the views could show). */
  readonly messages: number;
  /** Baseline: the device's whole IndexedDB database read, every key and value, in this tab. */
  readonly rawReadMs: number;
  readonly rawBytes: number;
}

/** Device `name` with `rooms` rooms of `messages` messages each, written by importing them. */
export async function populate(
  name: string,
  rooms: number,
  messages: number,
): Promise<PopulateFigures> {
  const start = performance.now();
  const device = await KithBrowser.open({ name });
  try {
    for (let r = 0; r < rooms; r++) {
      const roomId = await device.createRoom({ name: `room ${r}` });
      await device.client.importHistory(roomId, items(r, messages));
    }
    await device.client.idle();
  } finally {
    await device.close();
  }
  return { rooms, messages, ms: performance.now() - start };
}

function items(room: number, count: number): ImportItem[] {
  const list: ImportItem[] = [];
  for (let i = 0; i < count; i++) {
    list.push({
      kind: 'message',
      body: textPart(`room ${room} message ${i}: ${'some words of a chat '.repeat(2)}`),
      origin: { sender: `@user${i % 7}:example.org`, ts: 1_700_000_000_000 + i * 1000 },
    });
  }
  return list;
}

/**
 * In a fresh tab: open the device and list its rooms with each one's latest message, as an
 * app's first screen does. Then, as the baseline, read the same database raw.
 */
export async function coldStart(name: string, loadedMs: number): Promise<ColdStartFigures> {
  const opening = performance.now();
  const device = await KithBrowser.open({ name });
  const opened = performance.now();
  let messages = 0;
  let rooms: RoomId[];
  let listed: number;
  try {
    rooms = device.client.rooms().map((r) => r.roomId);
    for (const roomId of rooms) {
      const timeline = device.client.timeline(roomId);
      if (timeline.at(-1) === undefined) throw new Error(`room ${roomId} shows no message`);
      messages += timeline.length;
    }
    // Before closing: the listing is what the user waits for.
    listed = performance.now();
  } finally {
    await device.close();
  }
  const raw = await rawRead(name);
  return {
    sinceNavigationMs: loadedMs + (listed - opening),
    loadedMs,
    openMs: opened - opening,
    listMs: listed - opened,
    rooms: rooms.length,
    messages,
    rawReadMs: raw.ms,
    rawBytes: raw.bytes,
  };
}

async function rawRead(name: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const db = await openBrowserDatabase(name);
  let bytes = 0;
  try {
    for await (const [key, value] of db.iterator()) bytes += key.length + value.length;
  } finally {
    await db.close();
  }
  return { ms: performance.now() - start, bytes };
}
