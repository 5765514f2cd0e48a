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
    params: 'displayName',
    summary: 'set the name others see in your contact link',
    run: async (app, p) => {
      await app.setProfile(p.string('displayName'));
      return ok;
    },
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
    params: 'roomId [name] [topic]',
    summary: "change the room's name or topic",
    run: async (app, p) => {
      const name = p.optionalString('name');
      const topic = p.optionalString('topic');
      await app.setRoom(p.string('roomId'), {
        ...(name === undefined ? {} : { name }),
        ...(topic === undefined ? {} : { topic }),
      });
      return ok;
    },
  },
  send: {
    params: 'roomId text [replyTo] [threadId]',
    summary: 'send a message; returns messageId',
    run: async (app, p) => {
      const replyTo = p.optionalString('replyTo');
      const threadId = p.optionalString('threadId');
      const messageId = await app.send(p.string('roomId'), p.text('text'), {
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(threadId === undefined ? {} : { threadId }),
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
    params: 'roomId [limit]',
    summary: 'the last messages, oldest first (marks the room read)',
    run: async (app, p) => {
      const roomId = p.string('roomId');
      const list = app.messages(roomId, p.optionalCount('limit'));
      await app.markRead(roomId);
      return list;
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
