import { sha256 } from '@noble/hashes/sha2.js';
import {
  ConversationDoc,
  deviceIdFromPublicKey,
  encodeContent,
  signingKeyPairFromSecret,
  textMessage,
  toHex,
  type ControlPlaneView,
  type SigningKeyPair,
  type TimelineStateVector,
  type UserId,
} from '@kith/core';

const utf8 = new TextEncoder();

/** A control plane that never changes: every listed device a member, every action allowed. */
class StaticControlPlane implements ControlPlaneView {
  readonly #users = new Map<string, UserId>();

  add(devicePublicKey: Uint8Array, user: UserId): void {
    this.#users.set(toHex(devicePublicKey), user);
  }

  isMember(devicePublicKey: Uint8Array): boolean {
    return this.#users.has(toHex(devicePublicKey));
  }

  userOf(devicePublicKey: Uint8Array): UserId | undefined {
    return this.#users.get(toHex(devicePublicKey));
  }

  can(): boolean {
    return true;
  }

  currentEpoch(): bigint {
    return 1n;
  }
}

export const BENCH_ROOM = sha256(utf8.encode('bench room'));

function benchKey(name: string): SigningKeyPair {
  return signingKeyPairFromSecret(sha256(utf8.encode(`bench key ${name}`)));
}

function openDoc(controlPlane: ControlPlaneView, key: SigningKeyPair): ConversationDoc {
  return new ConversationDoc({
    room: BENCH_ROOM,
    device: key,
    controlPlane,
    deviceIdOf: deviceIdFromPublicKey,
  });
}

/** A short chat message, MIMI-encoded, with a salt derived from `n` (no randomness needed). */
export function chatMessage(
  n: number,
  text = `message number ${n}: see you at the station`,
): Uint8Array {
  const salt = sha256(utf8.encode(`salt ${n}`)).subarray(0, 16);
  return encodeContent(textMessage(text, { salt }));
}

export interface Conversation {
  readonly messages: number;
  readonly controlPlane: ControlPlaneView;
  /** The device whose document holds the whole conversation. */
  readonly key: SigningKeyPair;
  readonly doc: ConversationDoc;
  /** Messages sent after `behind`, one signed update each. */
  readonly gap: number;
  /** The state vector of `doc` when it held all but the last `gap` messages. */
  readonly behind: TimelineStateVector;
}

/**
 * A conversation of `messages` messages held by the first of two author devices. The older
 * messages come from both authors in signed updates of `batch` messages (as an import or a
 * burst would), which keeps building it affordable: each signed update costs an Ed25519
 * signature and, at the receiver, a verification. The last `gap` messages are the hub's own,
 * one signed update per message, as a chat sends them.
 */
function buildConversation(messages: number, gap: number, batch: number): Conversation {
  const controlPlane = new StaticControlPlane();
  const keys = [benchKey('author 0'), benchKey('author 1')];
  keys.forEach((k, i) => {
    controlPlane.add(k.publicKey, `ubench${i}` as UserId);
  });
  const [hub, other] = keys.map((k) => openDoc(controlPlane, k));
  const [hubKey] = keys;
  if (hub === undefined || other === undefined || hubKey === undefined) throw new Error('two');
  let now = 1_700_000_000_000;
  let n = 0;
  for (let turn = 0; n < messages - gap; turn++) {
    const count = Math.min(batch, messages - gap - n);
    const contents = Array.from({ length: count }, (_, i) => chatMessage(n + i));
    n += count;
    const author: ConversationDoc = turn % 2 === 0 ? hub : other;
    const signed = author.writeMany(contents, now++);
    if (author === other) {
      const verdict = hub.receive(other.encodedOwnUpdates(signed.seq)[0] ?? new Uint8Array());
      if (verdict.verdict !== 'accepted') throw new Error(`update ${verdict.verdict}`);
    }
  }
  const behind = hub.stateVector();
  for (; n < messages; n++) hub.write(chatMessage(n), now++);
  return { messages, controlPlane, key: hubKey, doc: hub, gap, behind };
}

let shared: Conversation | undefined;

/** The conversation the reopen and sync benchmarks share: built once per run. */
export function benchConversation(quick: boolean): Conversation {
  shared ??= quick ? buildConversation(10_000, 2_000, 25) : buildConversation(100_000, 10_000, 25);
  return shared;
}
