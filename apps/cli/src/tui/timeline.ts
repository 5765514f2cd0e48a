import { fileLine } from '../app/file-view.ts';
import type { MessageView, RoomView } from '../app/views.ts';
import type { MessageItem, RoomItem, SystemItem, TimelineItem } from './state.ts';
import { peopleFields, type TimelinePeople } from './timeline-people.ts';
import { receiptOf } from './signal-commands.ts';

/**
 * A room's timeline as the screen shows it: messages numbered from 1 (oldest first, so a number
 * keeps meaning the same message while new ones arrive), with the system lines this session saw
 * placed among them by time.
 */
export function buildTimeline(
  messages: readonly MessageView[],
  system: readonly SystemItem[],
  me: string,
  people?: TimelinePeople,
): TimelineItem[] {
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const items: MessageItem[] = messages.map((m, i) => {
    const reactions = Object.entries(m.reactions)
      .filter(([, users]) => users.length > 0)
      .map(([emoji, users]) => [emoji, users.length] as const);
    const replied = m.replyTo === null ? undefined : byId.get(m.replyTo);
    const quote =
      m.replyTo === null
        ? undefined
        : replied === undefined
          ? { missing: true as const }
          : {
              senderName: replied.senderName,
              text: replied.retracted ? '(deleted)' : replied.text,
            };
    return {
      kind: 'message',
      n: people?.numbers?.get(m.messageId) ?? i + 1,
      ts: m.ts,
      senderName: m.senderName,
      mine: m.sender === me,
      text: m.text,
      edited: m.edited,
      retracted: m.retracted,
      ...(quote === undefined ? {} : { quote }),
      reactions,
      ...(m.imported === undefined
        ? {}
        : { imported: { senderName: m.imported.senderName, ts: m.imported.ts } }),
      ...(people === undefined ? {} : peopleFields(m, me, people)),
      ...(m.sender === me ? receiptOf(m) : {}),
      ...(m.file === undefined ? {} : { file: fileLine(m.file) }),
    };
  });
  // Merge by time; messages keep the engine's order among themselves.
  const out: TimelineItem[] = [];
  const pending = [...system].sort((a, b) => a.ts - b.ts).reverse();
  for (const item of items) {
    for (
      let next = pending.at(-1);
      next !== undefined && next.ts < item.ts;
      next = pending.at(-1)
    ) {
      out.push(next);
      pending.pop();
    }
    out.push(item);
  }
  out.push(...pending.reverse());
  return out;
}

/** How the rooms list names a room: its name, "DM with X", or its members. */
export function roomItem(view: RoomView, me: string): RoomItem {
  const others = view.members.filter((m) => m.userId !== me).map((m) => m.displayName);
  let label: string;
  if (view.dm) label = `DM with ${others.join(', ') || '(nobody yet)'}`;
  else if (view.name !== '') label = view.name;
  else label = others.length > 0 ? others.join(', ') : '(unnamed room)';
  return {
    roomId: view.roomId,
    label,
    topic: view.topic,
    unread: view.unread,
    active: view.active,
    ...(view.departure === undefined ? {} : { departure: view.departure }),
    ...(view.mentions ? { mentions: true } : {}),
    ...(view.withheld > 0 ? { withheld: view.withheld } : {}),
    ...(view.disappearAfterMs === null ? {} : { disappearAfterMs: view.disappearAfterMs }),
  };
}
