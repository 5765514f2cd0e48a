import type { Capability } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import type { MessageView } from '../app/views.ts';
import { markdownSegments } from './markdown.ts';
import { helpLines, type Command } from './commands.ts';
import { sanitize, truncate } from './text.ts';

/** Where a command needs a room, and what it asks of the user's role there. */
const NEEDS: Readonly<Record<string, { capability: Capability; what: string }>> = {
  invite: { capability: 'canAddParticipant', what: 'invite' },
  remove: { capability: 'canRemoveParticipant', what: 'remove members' },
  ban: { capability: 'canBan', what: 'ban' },
  unban: { capability: 'canUnBan', what: 'lift bans' },
  role: { capability: 'canChangeUserRole', what: 'change roles' },
  name: { capability: 'canChangeRoomName', what: 'rename the room' },
  topic: { capability: 'canChangeRoomDescription', what: 'set the topic' },
  'room-avatar': { capability: 'canChangeRoomAvatar', what: 'set the room’s avatar' },
  disappear: { capability: 'canChangeRoomMembershipStyle', what: 'set disappearing messages' },
  'share-history': {
    capability: 'canChangeRoomMembershipStyle',
    what: 'change who reads history',
  },
  reply: { capability: 'canReplyToMessage', what: 'reply' },
  edit: { capability: 'canEditOwnMessage', what: 'edit messages' },
  react: { capability: 'canReactToMessage', what: 'react' },
  unreact: { capability: 'canDeleteOwnReaction', what: 'take reactions back' },
  leave: { capability: 'canRemoveSelf', what: 'leave' },
};

/**
 * The /help panel for the room on screen: commands the user's role does not allow there are
 * listed apart, with the reason, so nobody has to try one to learn it is refused.
 */
export function helpFor(app: KithApp, roomId: string | undefined): string[] {
  if (roomId === undefined) return helpLines();
  const room = app.room(roomId);
  if (!room.active) return helpLines((name) => (name in NEEDS ? 'you left this room' : undefined));
  const { role, capabilities, invitesRestricted } = app.capabilities(roomId);
  const held = new Set(capabilities);
  return helpLines((name) => {
    const need = NEEDS[name];
    if (need === undefined) return undefined;
    if (name === 'invite' && invitesRestricted && !held.has('canChangeRoomMembershipStyle')) {
      return `only admins and owners invite here (you are ${role})`;
    }
    if (held.has(need.capability)) return undefined;
    return `your role here (${role}) may not ${need.what}`;
  });
}

/** What the thread commands ask of the chat. */
export interface ThreadOutcome {
  readonly panel?: { readonly title: string; readonly lines: readonly string[] };
  /** Follow this thread, or (null) go back to the whole room. */
  readonly thread?: { readonly id: string; readonly label: string } | null;
}

/** /thread, /threads and /history for the room on screen. */
export function runThreadCommand(
  app: KithApp,
  roomId: string,
  messageId: (n: number) => string | undefined,
  command: Extract<Command, { kind: 'thread' | 'threads' | 'history' }>,
): ThreadOutcome {
  switch (command.kind) {
    case 'threads': {
      const threads = app.threads(roomId);
      if (threads.length === 0) {
        return { panel: { title: 'Threads', lines: ['No threads yet: /thread <n> starts one.'] } };
      }
      const all = app.messages(roomId).map((m) => m.messageId);
      const lines = threads.map((t) => {
        const n = all.indexOf(t.threadId) + 1;
        const root =
          t.root === null ? '(first message not here)' : `${t.root.senderName}: ${shown(t.root)}`;
        const at = n > 0 ? `/thread ${n}` : '';
        return `${truncate(sanitize(root), 48)}  ${t.replies} in thread  ${at}`;
      });
      return { panel: { title: 'Threads', lines } };
    }
    case 'thread': {
      if (command.n === undefined) return { thread: null };
      const id = need(messageId(command.n), command.n);
      const m = app.messages(roomId).find((x) => x.messageId === id);
      // A message in a thread leads to its thread; any other starts (or opens) its own.
      const threadId = m?.threadId ?? id;
      const root = app.messages(roomId).find((x) => x.messageId === threadId);
      const label = root === undefined ? 'a thread' : truncate(sanitize(shown(root)), 24);
      return { thread: { id: threadId, label } };
    }
    case 'history': {
      const id = need(messageId(command.n), command.n);
      const versions = app.history(roomId, id);
      const lines = versions.flatMap((v, i) => [
        `${i === 0 ? 'original' : `edit ${i}`} · ${new Date(v.ts).toLocaleString()}`,
        `    ${v.text}`,
      ]);
      return { panel: { title: `Versions of message ${command.n}`, lines } };
    }
  }
}

/** A message's text as read, Markdown syntax and mention addresses left out. */
function shown(m: MessageView): string {
  if (!m.markdown) return m.text;
  return markdownSegments(m.text)
    .map((s) => (s.text === '\n' ? ' ' : s.text))
    .join('');
}

function need(id: string | undefined, n: number): string {
  if (id === undefined) throw new Error(`no message ${n} here`);
  return id;
}
