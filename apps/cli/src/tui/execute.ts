import { KithError, shortUserId, type UserId } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import { addContact } from '../app/checks.ts';
import type { Command } from './commands.ts';
import { helpFor, runThreadCommand } from './people-commands.ts';
import { resolveUser, type Person } from './resolve-user.ts';
import { runSafetyCommand } from './safety-commands.ts';
import { runSignalCommand } from './signal-commands.ts';
import { durationText, runExpireCommand } from './expire-command.ts';
import { runExportCommand } from './export-command.ts';
import { runFileCommand } from './file-commands.ts';
import { runSearchCommand } from './search-command.ts';
import { runNotifyCommand } from './notify-command.ts';
import type { Notifier } from './notifier.ts';
import { runVerifyCommand } from './verify-command.ts';
import { runDeviceCommand } from './device-commands.ts';
import type { Notice, Panel, RoomItem } from './state.ts';

/** What the chat does after a command: say something, show a list, open a room, and so on. */
export interface Outcome {
  readonly notice?: Notice;
  readonly panel?: Panel;
  /** Open this room. */
  readonly open?: string;
  /** Open the n-th room of the list (1-based). */
  readonly openIndex?: number;
  /** Show this on the normal screen until a key is pressed (the contact link). */
  readonly mainScreen?: string;
  readonly quit?: true;
  /** Follow this thread of the room on screen, or (null) show the whole room again. */
  readonly thread?: { readonly id: string; readonly label: string } | null;
}

/** What a command can see of the chat. */
export interface CommandContext {
  readonly app: KithApp;
  /** The room on screen, if any. */
  readonly room: RoomItem | undefined;
  /** The message ID shown with number `n` in the room on screen. */
  messageId(n: number): string | undefined;
  /** The thread followed in the room on screen: what is sent goes into it. */
  readonly thread?: string;
  /** The chat's notifications (/notify, /mute). */
  readonly notifier?: Notifier;
}

const info = (text: string): Outcome => ({ notice: { kind: 'info', text } });

/** Carries out a command. Errors from the app (a KithError's message) are for the caller to show. */
export async function execute(ctx: CommandContext, command: Command): Promise<Outcome> {
  const { app } = ctx;
  switch (command.kind) {
    case 'help':
      return { panel: { title: 'Commands', lines: helpFor(app, ctx.room?.roomId) } };
    case 'quit':
      return { quit: true };
    case 'link':
      return { mainScreen: linkText(app) };
    case 'add': {
      const contact = await addContact(app.node, command.contactLink);
      const name = contact.displayName === '' ? shortUserId(contact.userId) : contact.displayName;
      return info(`added ${name} (${shortUserId(contact.userId)}) to your contacts`);
    }
    case 'contacts':
      return { panel: { title: 'Contacts', lines: contactLines(app) } };
    case 'new': {
      const members = command.users.map((u) => userOf(app, u));
      const roomId = await app.createRoom({ name: command.name, members });
      return { open: roomId, ...info(`created "${command.name}"`) };
    }
    case 'dm': {
      const user = userOf(app, command.user);
      const { roomId, created } = await app.createDm(user);
      if (!created) return { open: roomId };
      return { open: roomId, ...info(`started a DM with ${app.nameOf(user)}`) };
    }
    case 'block':
    case 'unblock':
    case 'blocked':
    case 'invites':
      return runSafetyCommand(app, command, (text) => userOf(app, text));
    case 'signal':
      return runSignalCommand(app, command);
    case 'search':
      return runSearchCommand(app, command);
    case 'notify':
    case 'mute':
      return runNotifyCommand(ctx.notifier, ctx.room?.roomId, command);
    case 'verify':
      return runVerifyCommand(app, command, (text) => userOf(app, text));
    case 'devices':
    case 'linkDevice':
    case 'revoke':
      return runDeviceCommand(app, command);
    case 'room':
      return { openIndex: command.n };
    case 'nick':
      await app.setProfile(command.name);
      return info(`your name is now ${command.name}, in your rooms and your contact link`);
    default:
      return inRoom(ctx, roomOf(ctx), command);
  }
}

/** Commands about the room on screen. */
async function inRoom(ctx: CommandContext, roomId: string, command: Command): Promise<Outcome> {
  const { app } = ctx;
  switch (command.kind) {
    case 'send':
      // The chat writes GFM-MIMI Markdown: @names of members become mentions.
      await app.send(roomId, command.text, { markdown: true, ...threadOf(ctx) });
      return {};
    case 'thread':
    case 'threads':
    case 'history':
      return runThreadCommand(app, roomId, (n) => ctx.messageId(n), command);
    case 'members':
      return { panel: { title: 'Members', lines: memberLines(app, roomId) } };
    case 'expire':
      return runExpireCommand(app, roomId, command);
    case 'export':
      return runExportCommand(app, roomId, command);
    case 'sendFile':
    case 'save':
    case 'play':
    case 'transfers':
    case 'avatar':
    case 'cancelTransfer':
      return runFileCommand(app, roomId, (n) => ctx.messageId(n), command);
    case 'invite': {
      const user = userOf(app, command.user);
      await app.invite(roomId, user);
      return info(`invited ${app.nameOf(user)}`);
    }
    case 'remove': {
      const user = userOf(app, command.user);
      await app.remove(roomId, user);
      return info(`removed ${app.nameOf(user)}`);
    }
    case 'ban': {
      const user = userOf(app, command.user);
      await app.ban(roomId, user);
      return info(`banned ${app.nameOf(user)}`);
    }
    case 'unban': {
      const user = userOf(app, command.user);
      await app.unban(roomId, user);
      return info(`unbanned ${app.nameOf(user)}`);
    }
    case 'role': {
      const user = userOf(app, command.user);
      await app.setRole(roomId, user, command.role.toLowerCase());
      return info(`${app.nameOf(user)} is now ${command.role.toLowerCase()}`);
    }
    case 'leave':
      await app.leave(roomId);
      return info('you left the room');
    case 'name':
      await app.setRoom(roomId, { name: command.name });
      return info(`renamed the room to "${command.name}"`);
    case 'topic':
      await app.setRoom(roomId, { topic: command.topic });
      return info(command.topic === '' ? 'cleared the topic' : 'set the topic');
    case 'roomAvatar':
      await app.setRoom(roomId, { avatar: command.avatar });
      return info(command.avatar === null ? 'removed the room’s avatar' : 'set the room’s avatar');
    case 'disappear':
      await app.setRoom(roomId, { disappearAfterMs: command.ms });
      return info(
        command.ms === null
          ? 'messages here stay from now on'
          : `every message here now disappears ${durationText(command.ms)} after it is sent`,
      );
    case 'shareHistory':
      await app.setRoom(roomId, { history: command.history });
      return info(
        command.history === 'all'
          ? 'people who join later will read what is written from now on'
          : 'people who join later will read only what is written after they join',
      );
    case 'reply':
      await app.send(roomId, command.text, {
        replyTo: messageOf(ctx, command.n),
        markdown: true,
        ...threadOf(ctx),
      });
      return {};
    case 'edit':
      await app.edit(roomId, messageOf(ctx, command.n), command.text);
      return info(`edited message ${command.n}`);
    case 'delete':
      await app.retract(roomId, messageOf(ctx, command.n));
      return info(`deleted message ${command.n}`);
    case 'react':
      await app.react(roomId, messageOf(ctx, command.n), command.emoji);
      return {};
    case 'unreact':
      await app.unreact(roomId, messageOf(ctx, command.n), command.emoji);
      return {};
    default:
      throw new Error(`/${command.kind} is not a room command`);
  }
}

/** A command the chat refuses before it reaches the app (no room open, no such message). */
class CommandError extends KithError<'BAD_COMMAND'> {
  override readonly name = 'CommandError';

  constructor(message: string) {
    super('BAD_COMMAND', message);
  }
}

function threadOf(ctx: CommandContext): { threadId?: string } {
  return ctx.thread === undefined ? {} : { threadId: ctx.thread };
}

function roomOf(ctx: CommandContext): string {
  if (ctx.room === undefined) {
    throw new CommandError('no room is open: /new or /dm starts one');
  }
  return ctx.room.roomId;
}

function messageOf(ctx: CommandContext, n: number): string {
  const id = ctx.messageId(n);
  if (id === undefined) throw new CommandError(`no message ${n} here`);
  return id;
}

function userOf(app: KithApp, text: string): UserId {
  const resolved = resolveUser(text, peopleOf(app));
  if (!resolved.ok) throw new CommandError(resolved.error);
  return resolved.userId;
}

/** Contacts first (their names are the ones given on purpose), then fellow room members. */
function peopleOf(app: KithApp): Person[] {
  const contacts = app.node.contacts().map((c) => ({
    userId: c.userId,
    displayName: app.nameOf(c.userId),
  }));
  const members = app.rooms().flatMap((r) => r.members);
  return [...contacts, ...members];
}

function linkText(app: KithApp): string {
  const me = app.whoami();
  return [
    `Your Kith contact link (${me.displayName}, ${shortUserId(me.userId)}).`,
    'Give it to someone you trust; they add you with /add followed by the link.',
    '',
    me.contactLink,
    '',
    'Press any key to go back to the chat.',
  ].join('\n');
}

function contactLines(app: KithApp): string[] {
  const contacts = app.node.contacts();
  if (contacts.length === 0) return ['No contacts yet: /add <link> adds one, /link shows yours.'];
  const online = new Set<string>(app.node.connectedDevices());
  return contacts.map((c) => {
    const here = c.devices.some((d) => online.has(d)) ? 'online' : 'offline';
    return `${app.nameOf(c.userId)}  ${here}  ${c.userId}`;
  });
}

function memberLines(app: KithApp, roomId: string): string[] {
  return app.members(roomId).map((m) => {
    const devices = m.devices.map((d) => d.deviceName).join(', ');
    const presence = app.signals.presence(m.userId)[0]?.state;
    const line = `${m.displayName}  ${m.role}  ${shortUserId(m.userId)}  (${devices})`;
    return presence === undefined ? line : `${line}  ${presence}`;
  });
}
