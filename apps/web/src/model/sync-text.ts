import type { SyncStatus } from '@kith/core';

/** Where a room's history stands on this device, in words. */
export function syncText(s: SyncStatus): string {
  const waiting = s.waitingUpdates + s.waitingEpochs;
  const parts = [
    s.complete && waiting === 0
      ? 'History complete'
      : `Waiting for ${waiting || 'news from members'}`,
  ];
  if (s.unsent > 0) parts.push(`${s.unsent} of your updates not yet confirmed by a member`);
  return parts.join('; ');
}
