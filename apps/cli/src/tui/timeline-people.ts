import type { UserId } from '@kith/core';
import type { MessageView } from '../app/views.ts';
import { markdownSegments } from './markdown.ts';
import type { MessageItem } from './state.ts';
import type { Segment } from './text.ts';

/** What the timeline needs to show mentions and threads. */
export interface TimelinePeople {
  /** The name this device knows for a user (mentions show it, not the sender's label). */
  readonly nameOf: (user: UserId) => string | undefined;
  /** Messages posted in each thread, by thread ID (hex). */
  readonly threadReplies?: ReadonlyMap<string, number>;
  /** Each message's number in the whole room, when fewer are shown (a thread). */
  readonly numbers?: ReadonlyMap<string, number>;
}

type PeopleFields = Pick<MessageItem, 'rich' | 'mentionsMe' | 'inThread' | 'threadReplies'>;

/**
 * Rendered Markdown by text, for texts without mentions (whose names can change): the screen is
 * rebuilt on every change, and most messages never change.
 */
const rendered = new Map<string, readonly Segment[]>();
const RENDERED_KEPT = 4000;

function richOf(text: string, me: string, people: TimelinePeople): readonly Segment[] {
  if (text.includes('kith:user/')) return markdownSegments(text, { me, nameOf: people.nameOf });
  let segments = rendered.get(text);
  if (segments === undefined) {
    if (rendered.size >= RENDERED_KEPT) rendered.clear();
    segments = markdownSegments(text);
    rendered.set(text, segments);
  }
  return segments;
}

/** A message item's Markdown rendering, mention flag and thread marks. */
export function peopleFields(m: MessageView, me: string, people: TimelinePeople): PeopleFields {
  const replies = people.threadReplies?.get(m.messageId);
  return {
    ...(m.markdown && !m.retracted ? { rich: richOf(m.text, me, people) } : {}),
    ...(m.mentionsMe ? { mentionsMe: true } : {}),
    ...(m.threadId === null ? {} : { inThread: true }),
    ...(replies === undefined ? {} : { threadReplies: replies }),
  };
}
