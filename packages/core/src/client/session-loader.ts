import { ConversationGroup } from '../group/conversation-group.ts';
import { fromHex } from '../crypto/bytes.ts';
import { ControlHistory } from './control-history.ts';
import { RoomSession, type SessionEnv } from './room-session.ts';
import { IntentLog } from './intent-log.ts';
import { RoomStore } from './room-store.ts';
import { ConversationDoc } from '../timeline/conversation-doc.ts';
import { deviceIdFromPublicKey } from '../identity/user-id.ts';
import { preverifySignedUpdates } from '../timeline/signed-update.ts';

/** Stored updates verified together on reopen: bounds the verdicts held at once. */
const PREVERIFY_BATCH = 512;

/** A session for a group just created or joined: its first epoch stored before anything else. */
export async function startSession(
  env: SessionEnv,
  group: ConversationGroup,
): Promise<RoomSession> {
  const history = new ControlHistory();
  history.record(group.chain);
  const session = new RoomSession(env, group, history, undefined);
  await session.storeStart();
  return session;
}

/**
 * Reopens a stored room: its retained epochs, the control-plane history, and the timeline from
 * the last snapshot plus the updates stored after it. Undefined when nothing usable is stored.
 */
export async function openSession(
  env: SessionEnv,
  roomHex: string,
): Promise<RoomSession | undefined> {
  const groupId = fromHex(roomHex);
  if (groupId === undefined) return undefined;
  const store = new RoomStore(env.kv, groupId);
  const records = await store.epochs(env.groupOptions.config);
  if (records.length === 0) return undefined;
  const group = ConversationGroup.restore(records, env.groupOptions);
  const history = new ControlHistory();
  const entries = [];
  for await (const e of store.history()) entries.push(e);
  history.restore(entries);
  for (const certificate of await store.authors()) history.learnCertificate(certificate);
  const snapshot = await store.snapshot();
  const options = {
    room: groupId,
    device: env.device.keyPair,
    controlPlane: history,
    deviceIdOf: deviceIdFromPublicKey,
    now: () => env.clock.now(),
    stored: await store.storedBodies(),
  };
  // Built here even without a snapshot: the stored bodies go in with the options.
  const doc =
    snapshot === undefined
      ? new ConversationDoc(options)
      : ConversationDoc.restore(options, snapshot);
  const session = new RoomSession(env, group, history, doc, await IntentLog.load(store));
  const stored = await store.updatesAfter(session.doc.stateVector());
  // Verified in batches where Ed25519 is asynchronous (a browser's WebCrypto), then judged.
  for (let i = 0; i < stored.length; i += PREVERIFY_BATCH) {
    const batch = stored.slice(i, i + PREVERIFY_BATCH);
    await preverifySignedUpdates(batch);
    for (const encoded of batch) session.doc.receive(encoded);
  }
  session.outbox.restore(await store.outbox());
  return session;
}
