import * as Y from 'yjs';
import { edit, reaction, retraction, textMessage, unreaction } from '../../src/content/builders.ts';
import { encodeContent } from '../../src/content/codec.ts';
import { contentMessageId, type MessageId } from '../../src/content/message-id.ts';
import type { MimiContent } from '../../src/content/model.ts';
import { textPart } from '../../src/content/parts.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { signingKeyPairFromSecret, type SigningKeyPair } from '../../src/crypto/ed25519.ts';
import { sha256 } from '../../src/crypto/hash.ts';
import type { DeviceId, RoomId, UserId } from '../../src/ids.ts';
import { yjsClientId } from '../../src/timeline/client-id.ts';
import type { ControlPlaneView, TimelineAction } from '../../src/timeline/control-plane.ts';
import { ConversationDoc } from '../../src/timeline/conversation-doc.ts';
import { encodeEnvelope } from '../../src/timeline/envelope.ts';
import {
  GENESIS_PREV,
  signedUpdateHash,
  signUpdate,
  type SignedUpdate,
} from '../../src/timeline/signed-update.ts';
import type { TimelineMessage } from '../../src/timeline/timeline-message.ts';
import { roomUri, userUri } from '../../src/timeline/uris.ts';

export const ROOM = sha256(new TextEncoder().encode('test room'));
const ROOM_ID = toHex(ROOM) as RoomId;

export function deviceIdOf(pub: Uint8Array): DeviceId {
  return `d${toHex(pub).slice(0, 52)}` as DeviceId;
}

export function keyOf(name: string): SigningKeyPair {
  return signingKeyPairFromSecret(sha256(new TextEncoder().encode(`key ${name}`)));
}

interface DeviceRecord {
  readonly user: UserId;
  readonly from: bigint;
  until: bigint | undefined;
}

/** A control plane every member agrees on, changed by the test. */
export class FakeControlPlane implements ControlPlaneView {
  epoch = 1n;
  readonly devices = new Map<string, DeviceRecord>();
  readonly moderators = new Set<UserId>();
  /** `user/action` to the epoch from which it is refused. */
  readonly denied = new Map<string, bigint>();
  /** Epochs above this are not known yet (undefined: all known). */
  knownUpTo: bigint | undefined;

  addDevice(pub: Uint8Array, user: UserId, from = 0n): void {
    this.devices.set(toHex(pub), { user, from, until: undefined });
  }

  removeDevice(pub: Uint8Array, at: bigint): void {
    const d = this.devices.get(toHex(pub));
    if (d !== undefined) d.until = at;
  }

  /** Refuses `action` to `user` from the current epoch on (answers never change for the past). */
  deny(user: UserId, action: TimelineAction): void {
    this.denied.set(`${user}/${action}`, this.epoch);
  }

  isMember(pub: Uint8Array, epoch: bigint): boolean {
    const d = this.devices.get(toHex(pub));
    return d !== undefined && epoch >= d.from && (d.until === undefined || epoch < d.until);
  }

  userOf(pub: Uint8Array): UserId | undefined {
    return this.devices.get(toHex(pub))?.user;
  }

  can(user: UserId, action: TimelineAction, epoch: bigint): boolean {
    const from = this.denied.get(`${user}/${action}`);
    if (from !== undefined && epoch >= from) return false;
    return action === 'retractAny' ? this.moderators.has(user) : true;
  }

  currentEpoch(): bigint {
    return this.epoch;
  }

  knowsEpoch(epoch: bigint): boolean {
    return this.knownUpTo === undefined || epoch <= this.knownUpTo;
  }
}

let saltCounter = 0;
export function freshSalt(): Uint8Array {
  saltCounter++;
  return sha256(new TextEncoder().encode(`salt ${saltCounter}`)).subarray(0, 16);
}

/** A member device with its document, and helpers to write MIMI content. */
export class Member {
  readonly name: string;
  readonly key: SigningKeyPair;
  readonly user: UserId;
  readonly device: DeviceId;
  readonly doc: ConversationDoc;
  readonly sent: SignedUpdate[] = [];
  clock = 1_700_000_000_000;

  constructor(
    name: string,
    cp: FakeControlPlane,
    options: { user?: string; member?: boolean } = {},
  ) {
    this.name = name;
    this.key = keyOf(name);
    this.user = `u${options.user ?? name}` as UserId;
    this.device = deviceIdOf(this.key.publicKey);
    if (options.member !== false) cp.addDevice(this.key.publicKey, this.user);
    this.doc = new ConversationDoc({ room: ROOM, device: this.key, controlPlane: cp, deviceIdOf });
  }

  /** Sends content; returns the message ID and content (a MessageRef). */
  send(content: MimiContent): { messageId: MessageId; content: MimiContent; update: SignedUpdate } {
    const bytes = encodeContent(content);
    const update = this.doc.write(bytes, this.clock++);
    this.sent.push(update);
    return { messageId: idOf(bytes, this.user), content, update };
  }

  text(text: string): ReturnType<Member['send']> {
    return this.send(textMessage(text, { salt: freshSalt() }));
  }

  edit(
    target: { messageId: MessageId; content: MimiContent },
    text: string,
  ): ReturnType<Member['send']> {
    return this.send(edit(target, textPart(text), { salt: freshSalt() }));
  }

  retract(target: { messageId: MessageId; content: MimiContent }): ReturnType<Member['send']> {
    return this.send(retraction(target, { salt: freshSalt() }));
  }

  react(target: MessageId, text: string): ReturnType<Member['send']> {
    return this.send(reaction(target, text, { salt: freshSalt() }));
  }

  unreact(r: { messageId: MessageId; content: MimiContent }): ReturnType<Member['send']> {
    return this.send(unreaction(r, { salt: freshSalt() }));
  }
}

function idOf(bytes: Uint8Array, user: UserId): MessageId {
  return contentMessageId(bytes, userUri(user), roomUri(ROOM_ID));
}

const utf8 = new TextDecoder();

/** A comparable projection of a timeline. */
export function project(timeline: readonly TimelineMessage[]): unknown[] {
  return timeline.map((m) => ({
    id: toHex(m.messageId),
    sender: m.sender,
    device: m.senderDevice,
    lamport: m.lamport,
    text: m.content.body.kind === 'single' ? utf8.decode(m.content.body.content) : null,
    versions: m.edits.length,
    retracted: m.retracted,
    retractedBy: m.retractedBy ?? null,
    reactions: [...m.reactions]
      .map(([t, users]) => [t, [...users].sort()])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  }));
}

export function textOf(m: TimelineMessage | undefined): string | null | undefined {
  if (m === undefined) return undefined;
  return m.content.body.kind === 'single' ? utf8.decode(m.content.body.content) : null;
}

/**
 * A malicious member's tools: signs whatever Yjs update it likes as its own, keeping its chain
 * consistent so that only the property under test is wrong.
 */
export class Forger {
  readonly key: SigningKeyPair;
  readonly device: DeviceId;
  seq = 0;
  prev: Uint8Array = GENESIS_PREV;
  generation = 0;
  epoch = 1n;
  /** The user the forger's device belongs to (message IDs of its entries name it). */
  user: UserId;
  readonly bodies: Uint8Array[] = [];

  constructor(key: SigningKeyPair, user?: UserId) {
    this.key = key;
    this.device = deviceIdOf(key.publicKey);
    this.user = user ?? ('umallory' as UserId);
  }

  get clientId(): number {
    return yjsClientId(this.key.publicKey, ROOM, this.generation);
  }

  /** A Y.Doc writing under the forger's own client ID, optionally holding others' updates. */
  mirror(...updates: readonly SignedUpdate[]): Y.Doc {
    const doc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(doc, u.update);
    doc.clientID = this.clientId;
    return doc;
  }

  /** Signs the next update of the chain (and advances it), with the bodies of its entries. */
  sign(update: Uint8Array, overrides: Partial<SignedUpdate> = {}): SignedUpdate {
    const bodies = this.bodies.splice(0);
    const bare = signUpdate(
      {
        room: ROOM,
        author: this.key.publicKey,
        generation: this.generation,
        seq: this.seq,
        prev: this.prev,
        epoch: this.epoch,
        update,
        ...overrides,
      },
      this.key.secretKey,
    );
    this.seq++;
    this.prev = signedUpdateHash(bare);
    return bodies.length === 0 ? bare : { ...bare, bodies };
  }

  /** Captures the Yjs update a change to `doc` makes. */
  static capture(doc: Y.Doc, change: () => void): Uint8Array {
    let captured: Uint8Array | undefined;
    const handler = (u: Uint8Array): void => {
      captured = u;
    };
    doc.on('update', handler);
    doc.transact(change);
    doc.off('update', handler);
    if (captured === undefined) throw new Error('no update');
    return captured;
  }

  /**
   * A well-formed log value: `[envelope]` (see `logValueBytes`). Its body goes into `bodies`,
   * which `sign` sends beside the update.
   */
  entry(seq: number, lamport: number, text = 'forged'): [Uint8Array] {
    const body = encodeContent(textMessage(text, { salt: freshSalt() }));
    this.bodies.push(body);
    return [encodeEnvelope({ seq, lamport, ts: 0, messageId: idOf(body, this.user) })];
  }
}

/** Delivers every update of `from` members to `to`, in order. */
export function deliverAll(updates: readonly SignedUpdate[], to: readonly Member[]): void {
  for (const m of to) for (const u of updates) m.doc.receive(u);
}

/** The value, or a test failure if it is missing. */
export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}
