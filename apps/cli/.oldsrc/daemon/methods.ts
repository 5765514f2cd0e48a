import { AppError } from '../app/app-error.ts';
import type { KithApp } from '../app/kith-app.ts';
import type { Params } from './params.ts';

/** One JSON-RPC method: what it takes (for --help) and what it does. */
export interface Method {
  readonly params: string;
  readonly summary: string;
  run(app: KithApp, p: Params): unknown;
}

const ok = { ok: true } as const;

/** The daemon's methods (docs/PROTOCOL.md §11). Names and fields are a stable interface. */
export const methods: Record<string, Method> = {
  whoami: {
    params: '',
    summary: 'this device: userId, deviceId, displayName, addresses, contactLink',
    run: (app) => app.whoami(),
  },
  setProfile: {
    params: 'displayName [avatar]',
    summary: 'set the name (and avatar URI) others see, in your contact link and every room',
    run: async (app, p) => {
      await app.setProfile(p.string('displayName'), p.optionalString('avatar'));
      return ok;
    },
  },
  members: {
    params: 'roomId',
    summary: "a room's members: display name, role, avatar and each device's name",
    run: (app, p) => app.members(p.string('roomId')),
  },
  capabilities: {
    params: 'roomId',
    summary: 'what your role lets you do in the room: { role, capabilities, invitesRestricted }',
    run: (app, p) => app.capabilities(p.string('roomId')),
  },
  threads: {
    params: 'roomId',
    summary: "a room's threads with their root, reply count and last activity",
    run: (app, p) => app.threads(p.string('roomId')),
  },
  history: {
    params: 'roomId messageId',
    summary: 'every version of an edited message, the original first',
    run: (app, p) => app.history(p.string('roomId'), p.string('messageId')),
  },
  importHistory: {
    params: 'path [format] [roomId] [name]',
    summary:
      'import a Matrix export (format matrix, the default) or a Kith export (kith) from a file, into roomId or a new room; returns { roomId, imported, skipped }',
    run: (app, p) => {
      const format = p.optionalString('format') ?? 'matrix';
      if (format !== 'matrix' && format !== 'kith') {
        throw new AppError('INVALID_PARAMS', 'format must be "matrix" or "kith"');
      }
      const roomId = p.optionalString('roomId');
      const name = p.optionalString('name');
      return app.historyPort.importFile(p.text('path'), format, {
        ...(roomId === undefined ? {} : { roomId }),
        ...(name === undefined ? {} : { name }),
      });
    },
  },
  importStatus: {
    params: '',
    summary: 'progress of the import under way: { active, done, total }',
    run: (app) => app.historyPort.status(),
  },
  exportHistory: {
    params: 'roomId path',
    summary: "write the room's history to a file (Kith export, JSON lines); returns { messages }",
    run: (app, p) => app.historyPort.exportRoom(p.string('roomId'), p.text('path')),
  },
  addContact: {
    params: 'link',
    summary: 'add someone from their kith: contact link and connect to them',
    run: (app, p) => app.node.addContact(p.string('link').trim()),
  },
  contacts: {
    params: '',
    summary: 'the contacts this device knows',
    run: (app) => app.node.contacts(),
  },
  peers: {
    params: '',
    summary: 'devices connected now (that speak Kith)',
    run: (app) => ({ connected: app.node.connectedDevices() }),
  },
  relays: {
    params: '',
    summary:
      "this device's relays: connected, reserved (reachable through it), and for one that is away the failed attempts, the next attempt (ms since the epoch) and the last error",
    run: (app) => ({ relays: app.node.relayStatus() }),
  },
  connect: {
    params: 'address',
    summary: 'connect to a device or relay by multiaddr (/ip4/.../tcp/.../p2p/...)',
    run: async (app, p) => ({ deviceId: await app.node.connect(p.string('address')) }),
  },
  createRoom: {
    params: '[name] [members] [dm]',
    summary: 'create a room (a DM: dm true and one other member); returns roomId',
    run: async (app, p) => {
      const name = p.optionalString('name');
      const members = p.optionalUserIds('members');
      const dm = p.optionalBoolean('dm');
      const roomId = await app.createRoom({
        ...(name === undefined ? {} : { name }),
        ...(members === undefined ? {} : { members }),
        ...(dm === undefined ? {} : { dm }),
      });
      return { roomId };
    },
  },
  createDm: {
    params: 'userId',
    summary: 'the DM with a user: the existing one, or a new one; returns { roomId, created }',
    run: (app, p) => app.createDm(p.userId('userId')),
  },
  block: {
    params: 'userId',
    summary: 'block a user: hide their messages, refuse their invitations and DMs',
    run: async (app, p) => {
      await app.safety.block(p.userId('userId'));
      return ok;
    },
  },
  unblock: {
    params: 'userId',
    summary: 'lift a block (their messages show again)',
    run: async (app, p) => {
      await app.safety.unblock(p.userId('userId'));
      return ok;
    },
  },
  blocked: {
    params: '',
    summary: 'the users you block',
    run: (app) => app.safety.blocked(),
  },
  setInvitePolicy: {
    params: 'policy',
    summary: 'who may add you to rooms: anyone, contacts or nobody',
    run: async (app, p) => {
      await app.safety.setInvitePolicy(p.string('policy'));
      return ok;
    },
  },
  invitePolicy: {
    params: '',
    summary: 'who may add you to rooms; returns { policy }',
    run: (app) => ({ policy: app.safety.invitePolicy() }),
  },
  refusedInvites: {
    params: '',
    summary: 'invitations refused since the daemon started (blocked inviter, invite policy)',
    run: (app) => app.safety.refusedInvites(),
  },
  rooms: {
    params: '',
    summary: 'rooms with members, roles and unread counts',
    run: (app) => app.rooms(),
  },
  invite: {
    params: 'roomId userId',
    summary: 'invite a contact (all their reachable devices)',
    run: async (app, p) => {
      await app.invite(p.string('roomId'), p.userId('userId'));
      return ok;
    },
  },
  remove: {
    params: 'roomId userId',
    summary: 'remove a user from the room',
    run: async (app, p) => {
      await app.remove(p.string('roomId'), p.userId('userId'));
      return ok;
    },
  },
  ban: {
    params: 'roomId userId',
    summary: 'remove a user and keep them out until unbanned',
    run: async (app, p) => {
      await app.ban(p.string('roomId'), p.userId('userId'));
      return ok;
    },
  },
  unban: {
    params: 'roomId userId',
    summary: 'lift a ban',
    run: async (app, p) => {
      await app.unban(p.string('roomId'), p.userId('userId'));
      return ok;
    },
  },
  leave: {
    params: 'roomId',
    summary: 'leave a room',
    run: async (app, p) => {
      await app.leave(p.string('roomId'));
      return ok;
    },
  },
  setRole: {
    params: 'roomId userId role',
    summary: 'give a member a role: member, moderator, admin or owner',
    run: async (app, p) => {
      await app.setRole(p.string('roomId'), p.userId('userId'), p.string('role'));
      return ok;
    },
  },
  setRoom: {
    params: 'roomId [name] [topic] [avatar] [history] [disappearAfterMs]',
    summary:
      'change the room\'s name, topic, avatar ("" removes it), history policy (all, since-joined) or disappearing time for every message (ms, 0 for none)',
    run: async (app, p) => {
      const name = p.optionalString('name');
      const topic = p.optionalString('topic');
      const avatar = p.optionalString('avatar');
      const history = p.optionalString('history');
      const disappear = p.optionalCount('disappearAfterMs');
      if (history !== undefined && history !== 'all' && history !== 'since-joined') {
        throw new AppError('INVALID_PARAMS', 'history must be "all" or "since-joined"');
      }
      await app.setRoom(p.string('roomId'), {
        ...(name === undefined ? {} : { name }),
        ...(topic === undefined ? {} : { topic }),
        ...(avatar === undefined ? {} : { avatar: avatar === '' ? null : avatar }),
        ...(history === undefined ? {} : { history }),
        // 0 lifts the room's disappearing time.
        ...(disappear === undefined
          ? {}
          : { disappearAfterMs: disappear === 0 ? null : disappear }),
      });
      return ok;
    },
  },
  send: {
    params: 'roomId text [replyTo] [threadId] [markdown] [expiresInMs]',
    summary:
      'send a message (markdown: true links @names of members; expiresInMs: it disappears from every device that long after); returns messageId',
    run: async (app, p) => {
      const replyTo = p.optionalString('replyTo');
      const threadId = p.optionalString('threadId');
      const markdown = p.optionalBoolean('markdown');
      const expiresInMs = p.optionalCount('expiresInMs');
      const messageId = await app.send(p.string('roomId'), p.text('text'), {
        ...(expiresInMs === undefined ? {} : { expiresInMs }),
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(threadId === undefined ? {} : { threadId }),
        ...(markdown === undefined ? {} : { markdown }),
      });
      return { messageId };
    },
  },
  edit: {
    params: 'roomId messageId text',
    summary: 'edit one of your messages',
    run: async (app, p) => ({
      messageId: await app.edit(p.string('roomId'), p.string('messageId'), p.text('text')),
    }),
  },
  retract: {
    params: 'roomId messageId',
    summary: 'retract a message for everyone',
    run: async (app, p) => ({
      messageId: await app.retract(p.string('roomId'), p.string('messageId')),
    }),
  },
  react: {
    params: 'roomId messageId emoji',
    summary: 'react to a message',
    run: async (app, p) => ({
      messageId: await app.react(p.string('roomId'), p.string('messageId'), p.text('emoji')),
    }),
  },
  unreact: {
    params: 'roomId messageId emoji',
    summary: 'take a reaction back',
    run: async (app, p) => ({
      messageId: await app.unreact(p.string('roomId'), p.string('messageId'), p.text('emoji')),
    }),
  },
  messages: {
    params: 'roomId [limit] [threadId] [markRead]',
    summary:
      'the last messages (of one thread with threadId), oldest first; marks the room read unless markRead is false',
    run: async (app, p) => {
      const roomId = p.string('roomId');
      const list = app.messages(roomId, p.optionalCount('limit'), p.optionalString('threadId'));
      if (p.optionalBoolean('markRead') !== false) await app.markRead(roomId);
      return list;
    },
  },
  markRead: {
    params: 'roomId [messageId]',
    summary: 'mark the room read up to a message (default: its newest); never moves back',
    run: async (app, p) => {
      await app.markRead(p.string('roomId'), p.optionalString('messageId'));
      return ok;
    },
  },
  receipts: {
    params: 'roomId messageId',
    summary: 'who has a message and who read it: { deliveredTo, readBy } (the sender aside)',
    run: (app, p) => app.signals.receipts(p.string('roomId'), p.string('messageId')),
  },
  setTyping: {
    params: 'roomId typing',
    summary: 'you are typing (true) or stopped (false); call it often, it is rate-limited',
    run: async (app, p) => {
      await app.signals.setTyping(p.string('roomId'), p.boolean('typing'));
      return ok;
    },
  },
  typing: {
    params: 'roomId',
    summary: 'who is typing in the room now: { users }',
    run: (app, p) => ({ users: app.signals.typing(p.string('roomId')) }),
  },
  setPresence: {
    params: 'state',
    summary: 'you are online, away or offline (announced when presence is on)',
    run: async (app, p) => {
      await app.signals.setPresence(p.string('state'));
      return ok;
    },
  },
  presence: {
    params: '[userId]',
    summary: 'presence (state, lastSeen) of one user, or of everyone heard from',
    run: (app, p) => {
      const user = p.optionalString('userId');
      return app.signals.presence(user === undefined ? undefined : p.userId('userId'));
    },
  },
  signals: {
    params: '',
    summary: 'which signals you send: { readReceipts, deliveryReceipts, typing, presence }',
    run: (app) => app.signals.settings(),
  },
  setSignals: {
    params: '[readReceipts] [deliveryReceipts] [typing] [presence]',
    summary: 'switch each signal you send on (true) or off (false); returns the settings',
    run: (app, p) => {
      const change: Record<string, boolean> = {};
      for (const key of ['readReceipts', 'deliveryReceipts', 'typing', 'presence']) {
        const value = p.optionalBoolean(key);
        if (value !== undefined) change[key] = value;
      }
      return app.signals.setSettings(change);
    },
  },
  waitForChange: {
    params: '[after] [timeoutMs]',
    summary: 'wait until anything changes after change number `after`; returns { changes }',
    run: async (app, p) => ({
      changes: await app.waitForChange(
        p.optionalCount('after') ?? -1,
        Math.min(p.optionalCount('timeoutMs') ?? 25_000, 60_000),
      ),
    }),
  },
  syncStatus: {
    params: 'roomId',
    summary: 'whether history is complete, and what is still waiting',
    run: (app, p) => app.syncStatus(p.string('roomId')),
  },
};
