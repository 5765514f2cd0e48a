// The daemon's methods as data: names, params with their types, and what each does. One schema
// drives the daemon's validation, the shell's typed `--param value` reading and `--help`.
// Nothing heavy is imported here: a one-shot `kith METHOD` reads it before anything else loads.

/** How a param is given: JSON types the daemon checks, and how the shell reads its text. */
type ParamType =
  | 'string'
  /** A string with something besides spaces. */
  | 'text'
  | 'userId'
  /** User IDs: a JSON array; on the shell, repeated or separated by commas. */
  | 'userIds'
  | 'boolean'
  /** A non-negative integer. */
  | 'count';

export interface ParamSpec {
  readonly type: ParamType;
  readonly optional?: true;
}

export interface MethodSpec {
  readonly summary: string;
  /** In the order `--help` lists them. */
  readonly params: Readonly<Record<string, ParamSpec>>;
}

const string: ParamSpec = { type: 'string' };
const text: ParamSpec = { type: 'text' };
const userId: ParamSpec = { type: 'userId' };
const optionalString: ParamSpec = { type: 'string', optional: true };
const optionalBoolean: ParamSpec = { type: 'boolean', optional: true };
const optionalCount: ParamSpec = { type: 'count', optional: true };
const roomId = string;
const messageId = string;

function method(summary: string, params: Readonly<Record<string, ParamSpec>> = {}): MethodSpec {
  return { summary, params };
}

/** The daemon's methods (docs/PROTOCOL.md §11). Names and fields are a stable interface. */
export const METHOD_SPECS = {
  whoami: method('this device: userId, deviceId, displayName, addresses, contactLink'),
  setProfile: method(
    'set the name (and avatar URI) others see, in your contact link and every room',
    { displayName: string, avatar: optionalString },
  ),
  members: method("a room's members: display name, role, avatar and each device's name", {
    roomId,
  }),
  capabilities: method(
    'what your role lets you do in the room: { role, capabilities, invitesRestricted }',
    { roomId },
  ),
  threads: method("a room's threads with their root, reply count and last activity", { roomId }),
  history: method('every version of an edited message, the original first', {
    roomId,
    messageId,
  }),
  importHistory: method(
    'import a Matrix export (format matrix, the default), a Kith export (kith) or a Telegram Desktop JSON export (telegram; a whole account goes into one new room per chat, listed in rooms) from a file, into roomId or a new room; returns { roomId, imported, skipped }',
    { path: text, format: optionalString, roomId: optionalString, name: optionalString },
  ),
  importStatus: method('progress of the import under way: { active, done, total }'),
  exportHistory: method(
    "write the room's history to a file: a Kith export (format kith, the default; JSON lines) or Matrix events as Element's JSON export writes them (matrix); returns { messages }",
    { roomId, path: text, format: optionalString },
  ),
  backup: method(
    'write an encrypted backup (user key, contacts, settings, room histories) to a file, sealed under passphrase (scrypt); `kith restore FILE` reads it on a fresh data directory; returns { bytes, rooms, contacts }',
    { path: text, passphrase: text },
  ),
  addContact: method('add someone from their kith: contact link and connect to them', {
    link: string,
  }),
  contacts: method('the contacts this device knows'),
  safetyNumber: method(
    'the safety number you share with a contact, to compare: { userId, displayName, safetyNumber, qr (rows of a QR code of its digits), verified, verifiedAt, devicesChanged }',
    { userId },
  ),
  setVerified: method(
    'mark a contact verified (true: you compared the safety number) or not (false); returns what safetyNumber does',
    { userId, verified: { type: 'boolean' } },
  ),
  devices: method(
    'your devices by your signed device list, this one first: [{ deviceId, shortId, name, addedAt, current, connected, lastSeen }]',
  ),
  createDeviceLink: method(
    'a one-time link for a new device of yours (`kith link LINK` there), valid ttlMs (default 10 minutes): { link, qr, expiresAt }',
    { ttlMs: optionalCount },
  ),
  linkRequests: method(
    'new devices that opened your link and wait: [{ deviceId, deviceName, code }]; compare the code with the one the new device shows',
  ),
  confirmDeviceLink: method(
    'accept (the codes match) or decline a waiting new device; accepted, it is certified and added to every room you are in',
    { deviceId: string, accept: { type: 'boolean' } },
  ),
  revokeDevice: method(
    'revoke one of your devices (by name, short ID or device ID): removed from every room, refused by your contacts, and it stops; returns { deviceId, removedFrom, failed }',
    { device: text },
  ),
  contactDevices: method(
    "a user's devices by their newest signed device list: { devices: [{ deviceId, name, addedAt }], revoked, version }",
    { userId },
  ),
  peers: method('devices connected now (that speak Kith)'),
  relays: method(
    "this device's relays: connected, reserved (reachable through it), and for one that is away the failed attempts, the next attempt (ms since the epoch) and the last error",
  ),
  connect: method('connect to a device or relay by multiaddr (/ip4/.../tcp/.../p2p/...)', {
    address: string,
  }),
  createRoom: method('create a room (a DM: dm true and one other member); returns roomId', {
    name: optionalString,
    members: { type: 'userIds', optional: true },
    dm: optionalBoolean,
  }),
  createDm: method(
    'the DM with a user: the existing one, or a new one; returns { roomId, created }',
    { userId },
  ),
  block: method('block a user: hide their messages, refuse their invitations and DMs', {
    userId,
  }),
  unblock: method('lift a block (their messages show again)', { userId }),
  blocked: method('the users you block'),
  setInvitePolicy: method('who may add you to rooms: anyone, contacts or nobody', {
    policy: string,
  }),
  invitePolicy: method('who may add you to rooms; returns { policy }'),
  refusedInvites: method(
    'invitations refused since the daemon started (blocked inviter, invite policy)',
  ),
  rooms: method('rooms with members, roles and unread counts'),
  invite: method('invite a contact (all their reachable devices)', { roomId, userId }),
  remove: method('remove a user from the room', { roomId, userId }),
  ban: method('remove a user and keep them out until unbanned', { roomId, userId }),
  unban: method('lift a ban', { roomId, userId }),
  leave: method('leave a room', { roomId }),
  setRole: method('give a member a role: member, moderator, admin or owner', {
    roomId,
    userId,
    role: string,
  }),
  setRoom: method(
    'change the room\'s name, topic, avatar ("" removes it), history policy (all, since-joined) or disappearing time for every message (ms, 0 for none)',
    {
      roomId,
      name: optionalString,
      topic: optionalString,
      avatar: optionalString,
      history: optionalString,
      disappearAfterMs: optionalCount,
    },
  ),
  send: method(
    'send a message (markdown: true links @names of members; expiresInMs: it disappears from every device that long after); returns messageId',
    {
      roomId,
      text,
      replyTo: optionalString,
      threadId: optionalString,
      markdown: optionalBoolean,
      expiresInMs: optionalCount,
    },
  ),
  sendFile: method(
    'send the file at path, end-to-end encrypted (a picture with a thumbnail and BlurHash; voice true: an Ogg Opus voice message with its duration and waveform); returns { messageId, blobId, type, size, preview }',
    {
      roomId,
      path: text,
      caption: optionalString,
      voice: optionalBoolean,
      filename: optionalString,
    },
  ),
  downloadFile: method(
    "fetch a message's file from the room's members and write it to path (a file, or a directory; default: downloads/ in the data directory; never overwrites); returns { path, bytes, type } where type is what the bytes show, not what the sender declared",
    { roomId, messageId, path: optionalString },
  ),
  setAvatar: method(
    "make the picture at path (PNG or JPEG) your avatar, or the room's with roomId: a 256 px square sent as an encrypted blob; returns { avatar }",
    { path: text, roomId: optionalString },
  ),
  transfers: method(
    'files being sent or downloaded now: [{ id, kind, roomId, name, bytes, total }]',
  ),
  cancelTransfer: method(
    'stop a transfer (see transfers); a download resumes from what it kept when asked again',
    { id: { type: 'count' } },
  ),
  edit: method('edit one of your messages', { roomId, messageId, text }),
  retract: method('retract a message for everyone', { roomId, messageId }),
  react: method('react to a message', { roomId, messageId, emoji: text }),
  unreact: method('take a reaction back', { roomId, messageId, emoji: text }),
  messages: method(
    'the last messages (of one thread with threadId), oldest first; marks the room read unless markRead is false',
    { roomId, limit: optionalCount, threadId: optionalString, markRead: optionalBoolean },
  ),
  search: method(
    'messages containing text (any case), newest first, in one room or all: [{ roomId, roomName, messageId, sender, senderName, ts, text }]; at most limit (default 20, at most 100)',
    { text, roomId: optionalString, limit: optionalCount },
  ),
  markRead: method('mark the room read up to a message (default: its newest); never moves back', {
    roomId,
    messageId: optionalString,
  }),
  receipts: method(
    'who has a message and who read it: { deliveredTo, readBy } (the sender aside)',
    { roomId, messageId },
  ),
  messageStatus: method(
    "how far one of your messages got: { state (sending, sent, stored, delivered, read), delivered, devices, readBy }; null for others' messages",
    { roomId, messageId },
  ),
  setTyping: method('you are typing (true) or stopped (false); call it often, it is rate-limited', {
    roomId,
    typing: { type: 'boolean' },
  }),
  typing: method('who is typing in the room now: { users }', { roomId }),
  setPresence: method('you are online, away or offline (announced when presence is on)', {
    state: string,
  }),
  presence: method('presence (state, lastSeen) of one user, or of everyone heard from', {
    userId: { type: 'userId', optional: true },
  }),
  signals: method('which signals you send: { readReceipts, deliveryReceipts, typing, presence }'),
  setSignals: method('switch each signal you send on (true) or off (false); returns the settings', {
    readReceipts: optionalBoolean,
    deliveryReceipts: optionalBoolean,
    typing: optionalBoolean,
    presence: optionalBoolean,
  }),
  waitForChange: method(
    'wait until anything changes after change number `after`; returns { changes }',
    { after: optionalCount, timeoutMs: optionalCount },
  ),
  syncStatus: method('whether history is complete, and what is still waiting', { roomId }),
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHOD_SPECS;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_SPECS, name);
}

/** "roomId text [replyTo] ..." for a method's params, as `--help` lists them. */
export function paramsSummary(spec: MethodSpec): string {
  return Object.entries(spec.params)
    .map(([name, p]) => (p.optional === true ? `[${name}]` : name))
    .join(' ');
}

/** The name among `known` that `given` most likely meant (a typo, a case slip), if any. */
export function closest(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(given.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  // A slip of a couple of letters in a word of that length; anything further is a different word.
  return bestDistance <= Math.max(1, Math.min(3, Math.floor(given.length / 3))) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
