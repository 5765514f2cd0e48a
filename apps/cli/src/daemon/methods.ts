import { AppError } from '../app/app-error.ts';
import { writeBackup } from '../app/backup-port.ts';
import { addContact } from '../app/checks.ts';
import { AppDevices } from '../app/devices.ts';
import type { KithApp } from '../app/kith-app.ts';
import { searchRooms } from '../app/search.ts';
import { verifierOf } from '../app/verify.ts';
import type { MethodName } from '../rpc/method-specs.ts';
import type { Params } from './params.ts';

/** What a method does; its params and summary are in METHOD_SPECS. */
type Handler = (app: KithApp, p: Params) => unknown;

const ok = { ok: true } as const;

/** What each method of METHOD_SPECS does (docs/PROTOCOL.md §11): one handler per method. */
export const handlers: Record<MethodName, Handler> = {
  whoami: (app) => app.whoami(),
  setProfile: async (app, p) => {
    await app.setProfile(p.string('displayName'), p.optionalString('avatar'));
    return ok;
  },
  members: (app, p) => app.members(p.string('roomId')),
  capabilities: (app, p) => app.capabilities(p.string('roomId')),
  threads: (app, p) => app.threads(p.string('roomId')),
  history: (app, p) => app.history(p.string('roomId'), p.string('messageId')),
  importHistory: (app, p) => {
    const format = p.optionalString('format') ?? 'matrix';
    if (format !== 'matrix' && format !== 'kith' && format !== 'telegram') {
      throw new AppError('INVALID_PARAMS', 'format must be "matrix", "kith" or "telegram"');
    }
    const roomId = p.optionalString('roomId');
    const name = p.optionalString('name');
    return app.historyPort.importFile(p.text('path'), format, {
      ...(roomId === undefined ? {} : { roomId }),
      ...(name === undefined ? {} : { name }),
    });
  },
  importStatus: (app) => app.historyPort.status(),
  exportHistory: (app, p) => {
    const format = p.optionalString('format') ?? 'kith';
    if (format !== 'matrix' && format !== 'kith') {
      throw new AppError('INVALID_PARAMS', 'format must be "kith" or "matrix"');
    }
    return app.historyPort.exportRoom(p.string('roomId'), p.text('path'), format);
  },
  backup: (app, p) => writeBackup(app.node, p.text('path'), p.text('passphrase')),
  addContact: (app, p) => addContact(app.node, p.string('link')),
  contacts: (app) => app.node.contacts(),
  safetyNumber: (app, p) => verifierOf(app).view(p.userId('userId')),
  setVerified: (app, p) => verifierOf(app).setVerified(p.userId('userId'), p.boolean('verified')),
  devices: (app) => new AppDevices(app.node).list(),
  createDeviceLink: (app, p) => new AppDevices(app.node).createLink(p.optionalCount('ttlMs')),
  linkRequests: (app) => new AppDevices(app.node).requests(),
  confirmDeviceLink: (app, p) =>
    new AppDevices(app.node).confirm(p.string('deviceId'), p.boolean('accept')),
  revokeDevice: (app, p) => new AppDevices(app.node).revoke(p.text('device')),
  contactDevices: (app, p) => new AppDevices(app.node).of(p.userId('userId')),
  peers: (app) => ({ connected: app.node.connectedDevices() }),
  relays: (app) => ({ relays: app.node.relayStatus() }),
  connect: async (app, p) => ({ deviceId: await app.node.connect(p.string('address')) }),
  createRoom: async (app, p) => {
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
  createDm: (app, p) => app.createDm(p.userId('userId')),
  block: async (app, p) => {
    await app.safety.block(p.userId('userId'));
    return ok;
  },
  unblock: async (app, p) => {
    await app.safety.unblock(p.userId('userId'));
    return ok;
  },
  blocked: (app) => app.safety.blocked(),
  setInvitePolicy: async (app, p) => {
    await app.safety.setInvitePolicy(p.string('policy'));
    return ok;
  },
  invitePolicy: (app) => ({ policy: app.safety.invitePolicy() }),
  refusedInvites: (app) => app.safety.refusedInvites(),
  rooms: (app) => app.rooms(),
  invite: async (app, p) => {
    await app.invite(p.string('roomId'), p.userId('userId'));
    return ok;
  },
  remove: async (app, p) => {
    await app.remove(p.string('roomId'), p.userId('userId'));
    return ok;
  },
  ban: async (app, p) => {
    await app.ban(p.string('roomId'), p.userId('userId'));
    return ok;
  },
  unban: async (app, p) => {
    await app.unban(p.string('roomId'), p.userId('userId'));
    return ok;
  },
  leave: async (app, p) => {
    await app.leave(p.string('roomId'));
    return ok;
  },
  setRole: async (app, p) => {
    await app.setRole(p.string('roomId'), p.userId('userId'), p.string('role'));
    return ok;
  },
  setRoom: async (app, p) => {
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
      ...(disappear === undefined ? {} : { disappearAfterMs: disappear === 0 ? null : disappear }),
    });
    return ok;
  },
  send: async (app, p) => {
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
  sendFile: (app, p) => {
    const caption = p.optionalString('caption');
    const filename = p.optionalString('filename');
    return app.files.sendFile(p.string('roomId'), p.text('path'), {
      ...(caption === undefined ? {} : { caption }),
      ...(filename === undefined ? {} : { filename }),
      ...(p.optionalBoolean('voice') === true ? { voice: true } : {}),
    });
  },
  downloadFile: (app, p) =>
    app.files.downloadFile(p.string('roomId'), p.string('messageId'), p.optionalString('path')),
  setAvatar: (app, p) => app.files.setAvatar(p.text('path'), p.optionalString('roomId')),
  transfers: (app) => app.files.transfers(),
  cancelTransfer: (app, p) => {
    app.files.cancel(p.optionalCount('id') ?? 0);
    return ok;
  },
  edit: async (app, p) => ({
    messageId: await app.edit(p.string('roomId'), p.string('messageId'), p.text('text')),
  }),
  retract: async (app, p) => ({
    messageId: await app.retract(p.string('roomId'), p.string('messageId')),
  }),
  react: async (app, p) => ({
    messageId: await app.react(p.string('roomId'), p.string('messageId'), p.text('emoji')),
  }),
  unreact: async (app, p) => ({
    messageId: await app.unreact(p.string('roomId'), p.string('messageId'), p.text('emoji')),
  }),
  messages: async (app, p) => {
    const roomId = p.string('roomId');
    const list = app.messages(roomId, p.optionalCount('limit'), p.optionalString('threadId'));
    if (p.optionalBoolean('markRead') !== false) await app.markRead(roomId);
    return list;
  },
  search: (app, p) =>
    searchRooms(app, p.text('text'), {
      roomId: p.optionalString('roomId'),
      limit: p.optionalCount('limit'),
    }),
  markRead: async (app, p) => {
    await app.markRead(p.string('roomId'), p.optionalString('messageId'));
    return ok;
  },
  receipts: (app, p) => app.signals.receipts(p.string('roomId'), p.string('messageId')),
  messageStatus: (app, p) => app.signals.status(p.string('roomId'), p.string('messageId')),
  setTyping: async (app, p) => {
    await app.signals.setTyping(p.string('roomId'), p.boolean('typing'));
    return ok;
  },
  typing: (app, p) => ({ users: app.signals.typing(p.string('roomId')) }),
  setPresence: async (app, p) => {
    await app.signals.setPresence(p.string('state'));
    return ok;
  },
  presence: (app, p) => {
    const user = p.optionalString('userId');
    return app.signals.presence(user === undefined ? undefined : p.userId('userId'));
  },
  signals: (app) => app.signals.settings(),
  setSignals: (app, p) => {
    const change: Record<string, boolean> = {};
    for (const key of ['readReceipts', 'deliveryReceipts', 'typing', 'presence']) {
      const value = p.optionalBoolean(key);
      if (value !== undefined) change[key] = value;
    }
    return app.signals.setSettings(change);
  },
  waitForChange: async (app, p) => ({
    changes: await app.waitForChange(
      p.optionalCount('after') ?? -1,
      Math.min(p.optionalCount('timeoutMs') ?? 25_000, 60_000),
    ),
  }),
  syncStatus: (app, p) => app.syncStatus(p.string('roomId')),
};
