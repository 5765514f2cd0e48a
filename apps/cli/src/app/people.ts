import {
  ClientError,
  linkMentions,
  mentionedUsers,
  messageText,
  PROFILE_META_KEY,
  toHex,
  type KithClient,
  type MessageId,
  type RoomId,
  type TimelineMessage,
  type UserId,
} from '@kith/core';
import type {
  CapabilitiesView,
  MemberDetailView,
  QuoteView,
  ThreadView,
  VersionView,
} from './views.ts';

/** The part of a message view that is about people: mentions and the quoted original. */
export interface PeopleFields {
  readonly markdown: boolean;
  readonly mentions: UserId[];
  readonly mentionsMe: boolean;
  readonly quote: QuoteView | null;
}

/**
 * People as the daemon and the chat show them: display names from the profiles members publish
 * in their rooms (the newest of a user's profiles across all rooms), mentions, threads, edit
 * history and the capabilities of one's role. Profiles are read again only after a change.
 */
export class AppPeople {
  readonly #client: KithClient;
  readonly #nameOf: (user: UserId) => string;
  #names: Map<UserId, { name: string; at: number }> | undefined;
  #former = new Map<UserId, { name: string; at: number }>();

  constructor(client: KithClient, nameOf: (user: UserId) => string) {
    this.#client = client;
    this.#nameOf = nameOf;
    const stale = (): void => {
      this.#names = undefined;
    };
    client.on('meta', (e) => {
      if (e.keys.includes(PROFILE_META_KEY)) stale();
    });
    client.on('membership', stale);
    client.on('joined', stale);
    client.on('left', stale);
  }

  /** The name `user` gave themselves in a room this device shares with them, if any. */
  profileName(user: UserId): string | undefined {
    this.#names ??= this.#collect();
    return this.#names.get(user)?.name;
  }

  #collect(): Map<UserId, { name: string; at: number }> {
    // Someone removed from every shared room keeps the last name seen: their earlier messages
    // still show who wrote them (for this run of the app; the engine keeps no former profiles).
    const out = new Map<UserId, { name: string; at: number }>(this.#former);
    for (const room of this.#client.rooms()) {
      for (const m of this.#client.members(room.roomId)) {
        if (m.displayName === undefined) continue;
        const at = m.profileSetAt ?? 0;
        const seen = out.get(m.userId);
        if (seen === undefined || at > seen.at) out.set(m.userId, { name: m.displayName, at });
      }
    }
    this.#former = out;
    return out;
  }

  members(roomId: RoomId): MemberDetailView[] {
    return this.#client.members(roomId).map((m) => ({
      userId: m.userId,
      displayName: this.#nameOf(m.userId),
      role: m.role,
      avatar: m.avatar ?? null,
      devices: m.devices.map((d) => ({ deviceId: d.deviceId, deviceName: d.deviceName })),
    }));
  }

  /** Markdown `text` with `@name` of the room's members (and contacts) turned into mentions. */
  linkMentions(roomId: RoomId, text: string): string {
    const people = this.#client.room(roomId).participants.map((p) => ({
      userId: p.userId,
      displayName: this.#nameOf(p.userId),
    }));
    return linkMentions(text, people);
  }

  /** Whether a message from someone else after `marker` (a hex message ID) mentions this user. */
  mentionedSince(timeline: readonly TimelineMessage[], marker: string | undefined): boolean {
    const me = this.#client.userId;
    const from =
      marker === undefined ? 0 : timeline.findIndex((m) => toHex(m.messageId) === marker) + 1;
    for (let i = from; i < timeline.length; i++) {
      const m = timeline[i];
      if (m !== undefined && m.sender !== me && !m.retracted && mentionsOf(m).includes(me)) {
        return true;
      }
    }
    return false;
  }

  /** The mention and quote fields of a message's view; `byId` holds the room's messages. */
  fields(m: TimelineMessage, byId: ReadonlyMap<string, TimelineMessage>): PeopleFields {
    const mentions = m.retracted ? [] : mentionsOf(m);
    const body = m.content.body;
    const original = m.inReplyTo === undefined ? undefined : byId.get(toHex(m.inReplyTo));
    return {
      markdown: body.kind === 'single' && body.contentType.startsWith('text/markdown'),
      mentions,
      mentionsMe: m.sender !== this.#client.userId && mentions.includes(this.#client.userId),
      quote:
        original === undefined
          ? null
          : {
              messageId: toHex(original.messageId),
              sender: original.sender,
              senderName: this.#nameOf(original.sender),
              text: original.retracted ? '' : messageText(original.content),
              retracted: original.retracted,
            },
    };
  }

  threads(roomId: RoomId, view: (m: TimelineMessage) => ThreadView['root']): ThreadView[] {
    return this.#client.threads(roomId).map((t) => ({
      threadId: toHex(t.threadId),
      root: t.root === undefined ? null : view(t.root),
      replies: t.replies,
      lastActivity: t.lastActivity,
      participants: t.participants.map((u) => ({ userId: u, displayName: this.#nameOf(u) })),
    }));
  }

  /** Every version of a message, the original first. */
  history(roomId: RoomId, messageId: MessageId): VersionView[] {
    const m = this.#client.timeline(roomId).find((x) => sameId(x.messageId, messageId));
    if (m === undefined) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in this room');
    return m.edits.map((v) => ({
      messageId: toHex(v.messageId),
      text: messageText(v.content),
      ts: v.ts,
      deviceId: v.senderDevice,
    }));
  }

  capabilities(roomId: RoomId): CapabilitiesView {
    const c = this.#client.capabilities(roomId);
    return {
      role: c.role,
      capabilities: [...c.capabilities],
      invitesRestricted: c.invitesRestricted,
    };
  }
}

/** The users a message mentions; text without a user URI is not scanned (most messages). */
function mentionsOf(m: TimelineMessage): UserId[] {
  const body = m.content.body;
  if (body.kind === 'single' && !messageText(m.content).includes('kith:user/')) return [];
  return mentionedUsers(m.content);
}

function sameId(a: MessageId, b: MessageId): boolean {
  return toHex(a) === toHex(b);
}
