import { bytesEqual, toHex } from '../crypto/bytes.ts';
import type { UserId } from '../ids.ts';
import type { TimelineMessage } from './timeline-message.ts';

/**
 * Threads are MIMI topics: every message of a thread carries its `topicId`. Kith uses the ID of
 * the message a thread starts from as the topic ID, so that message is the thread's root; a
 * topic ID that names no message here (another client's choice, or a root not received yet)
 * still makes a thread, without a root.
 */
export interface ThreadSummary {
  readonly threadId: Uint8Array;
  /** The message whose ID is the thread ID, when this device holds it. */
  readonly root: TimelineMessage | undefined;
  /** Messages posted in the thread (the root not counted, retracted ones not either). */
  readonly replies: number;
  /** The sender's clock of the newest message in the thread, root included (display only). */
  readonly lastActivity: number;
  /** Lamport of the newest message in the thread: the order threads are listed in. */
  readonly lastLamport: number;
  /** Who posted in it (root sender first), each once. */
  readonly participants: readonly UserId[];
}

interface Building {
  threadId: Uint8Array;
  replies: number;
  lastActivity: number;
  lastLamport: number;
  participants: Set<UserId>;
}

/** Every thread of a timeline, the most recently active first. */
export function threadsOf(timeline: readonly TimelineMessage[]): ThreadSummary[] {
  const byId = new Map<string, TimelineMessage>();
  for (const m of timeline) byId.set(toHex(m.messageId), m);
  const threads = new Map<string, Building>();
  for (const m of timeline) {
    if (m.topicId === undefined) continue;
    const key = toHex(m.topicId);
    let t = threads.get(key);
    if (t === undefined) {
      const root = byId.get(key);
      t = {
        threadId: m.topicId,
        replies: 0,
        lastActivity: root?.ts ?? m.ts,
        lastLamport: root?.lamport ?? m.lamport,
        participants: new Set(root === undefined ? [] : [root.sender]),
      };
      threads.set(key, t);
    }
    if (!m.retracted) t.replies++;
    t.participants.add(m.sender);
    if (m.lamport >= t.lastLamport) {
      t.lastLamport = m.lamport;
      t.lastActivity = m.ts;
    }
  }
  return [...threads.entries()]
    .map(([key, t]) => ({
      threadId: t.threadId,
      root: byId.get(key),
      replies: t.replies,
      lastActivity: t.lastActivity,
      lastLamport: t.lastLamport,
      participants: [...t.participants],
    }))
    .sort((a, b) => b.lastLamport - a.lastLamport);
}

/** A thread's messages in timeline order: its root (when held) and every message posted in it. */
export function threadMessages(
  timeline: readonly TimelineMessage[],
  threadId: Uint8Array,
): TimelineMessage[] {
  return timeline.filter(
    (m) =>
      (m.topicId !== undefined && bytesEqual(m.topicId, threadId)) ||
      (m.topicId === undefined && bytesEqual(m.messageId, threadId)),
  );
}
