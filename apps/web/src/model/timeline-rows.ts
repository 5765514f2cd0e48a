/** What the timeline needs of a message to place it among day dividers and the unread marker. */
export interface Placed {
  readonly messageId: string;
  readonly ts: number;
  readonly mine: boolean;
}

export type TimelineRow<M extends Placed> =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | { readonly kind: 'new'; readonly key: 'new' }
  | { readonly kind: 'message'; readonly key: string; readonly message: M };

/**
 * The timeline's rows: a divider before the first message of each local day, and a "new
 * messages" marker before the first message from someone else after the read position (none
 * when everything is read, or when the person has never opened the room and everything is new:
 * then the marker sits before the first message from someone else).
 */
export function timelineRows<M extends Placed>(
  messages: readonly M[],
  readPosition: string | undefined,
  dayLabel: (ts: number) => string,
): TimelineRow<M>[] {
  const rows: TimelineRow<M>[] = [];
  let lastDay = '';
  const readIndex =
    readPosition === undefined ? -1 : messages.findIndex((m) => m.messageId === readPosition);
  let markerPlaced = false;
  messages.forEach((m, index) => {
    const day = dayLabel(m.ts);
    if (day !== lastDay) {
      rows.push({ kind: 'day', key: `day-${m.messageId}`, label: day });
      lastDay = day;
    }
    if (!markerPlaced && index > readIndex && !m.mine) {
      // The person's own messages after the marker are read by definition: the marker goes
      // before the first message of someone else that came after the read position.
      markerPlaced = true;
      rows.push({ kind: 'new', key: 'new' });
    }
    rows.push({ kind: 'message', key: m.messageId, message: m });
  });
  return rows;
}

/** "Today", "Yesterday", or the date in the reader's locale; by the reader's clock and zone. */
export function dayLabeller(now: number, locale?: string): (ts: number) => string {
  const today = startOfDay(now);
  const format = new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
  return (ts) => {
    const day = startOfDay(ts);
    if (day === today) return 'Today';
    if (day === startOfDay(today - 12 * 3600_000)) return 'Yesterday';
    return format.format(ts);
  };
}

function startOfDay(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
