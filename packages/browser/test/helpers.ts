import { messageText, type RoomId, type TimelineMessage } from '@kith/core';
import type { KithBrowser } from '../src/index.ts';

/** A device name no other test (or earlier run) on this origin used. */
export function uniqueName(label: string): string {
  return `${label}-${String(Date.now())}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Resolves with the first value `check` returns, checked now and on each engine event. */
export function until<T>(device: KithBrowser, check: () => T | undefined): Promise<T> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const offs = (['timeline', 'joined'] as const).map((type) =>
      device.client.on(type, () => {
        const value = check();
        if (value === undefined) return;
        for (const off of offs) off();
        resolve(value);
      }),
    );
  });
}

/** The message in `roomId` whose text is `text`, once `accept` holds for it. */
export function message(
  device: KithBrowser,
  roomId: RoomId,
  text: string,
  accept: (m: TimelineMessage) => boolean = () => true,
): Promise<TimelineMessage> {
  return until(device, () => {
    // The device may not have joined yet: the room then appears with a 'joined' event.
    if (!device.client.rooms().some((r) => r.roomId === roomId)) return undefined;
    return device.client.timeline(roomId).find((m) => messageText(m.content) === text && accept(m));
  });
}
