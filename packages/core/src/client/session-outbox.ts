import { encodeAppPayload } from '../sync/payload.ts';
import type { SignedUpdate } from '../timeline/signed-update.ts';
import type { SessionCore } from './room-session.ts';
import { rotateIfWorn } from './session-epochs.ts';
import { batches } from './session-helpers.ts';

/**
 * How a room session sends signed updates as MLS application messages: its own as it writes
 * them (kept in the outbox until a member confirms them), again from the outbox, and anyone's
 * in sync answers. The ratchet state each encryption moved is stored before the message goes.
 */

/** Stores, encrypts and publishes an update this device just wrote. */
export async function publishOwn(core: SessionCore, signed: SignedUpdate): Promise<void> {
  const s = core.session;
  const encoded = s.doc.encodedOwnUpdates(signed.seq)[0];
  if (encoded === undefined) throw new Error('the update just written is missing');
  s.queue([s.store.putUpdate(signed.author, signed.seq, encoded), ...s.outbox.add(signed.seq)]);
  await rotateIfWorn(core);
  const message = await s.group.encrypt(
    encodeAppPayload({ type: 'updates', updates: [encoded], authors: [] }),
  );
  core.saveHead();
  await s.flush();
  await core.publish(message, [signed.seq]);
}

/**
 * Publishes own updates no member has confirmed, unless an embargo holds them back, backing
 * off while nobody confirms: each resend is new ciphertext for everyone (and for the relays'
 * mailboxes), and members who come back get what they lack by sync anyway.
 */
export async function resendUnconfirmed(core: SessionCore): Promise<void> {
  const s = core.session;
  if (s.embargo.active || !s.group.active) return;
  const due = s.outbox.due(core.env.clock.now());
  if (due === undefined) return;
  const unconfirmed = new Set(due);
  const first = due[0] ?? 0;
  // A resend reaches today's members: content written while history was kept from later
  // members goes without its bodies if one of them is such a member (the others get the
  // bodies in sync answers, which are per device).
  const users = new Set(s.members().map((m) => m.userId));
  const shareBodies = (epoch: bigint): boolean =>
    [...users].every((u) => s.history.mayShare(u, epoch));
  const seqOf = new Map<Uint8Array, number>();
  const updates = s.doc.encodedOwnUpdates(first, shareBodies).filter((u, i) => {
    seqOf.set(u, first + i);
    return unconfirmed.has(first + i);
  });
  for (const batch of batches(updates)) {
    await rotateIfWorn(core);
    const message = await s.group.encrypt(
      encodeAppPayload({ type: 'updates', updates: batch, authors: [] }),
    );
    core.saveHead();
    await s.flush();
    await core.publish(
      message,
      batch.map((u) => seqOf.get(u) ?? -1),
    );
  }
}

/**
 * Publishes a message to the room; when it carries own updates (`seqs`), their delivery
 * states move (a `messageStatus` event) once the transport took it, and again once a relay
 * says it keeps a copy.
 */
export async function publishTracked(
  core: SessionCore,
  message: Uint8Array,
  seqs: readonly number[] = [],
): Promise<void> {
  const s = core.session;
  const transport = core.env.transport;
  if (seqs.length === 0) {
    await transport.publish(s.topic, message).catch(() => undefined);
    return;
  }
  const moved = (): void => {
    core.env.emit({ type: 'messageStatus', roomId: s.roomId });
  };
  const onStored = (): void => {
    if (s.delivery.stored(seqs)) moved();
  };
  try {
    await transport.publish(s.topic, message, { onStored });
  } catch {
    return; // left for the outbox's next resend
  }
  if (s.delivery.published(seqs)) moved();
}

/** Encrypts a batch of updates for a sync answer (an MLS message of the current epoch). */
export async function sealForSync(
  core: SessionCore,
  updates: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const s = core.session;
  const out: Uint8Array[] = [];
  for (const batch of batches(updates)) {
    await rotateIfWorn(core);
    const authors = s.history.certificatesOf(batch);
    out.push(await s.group.encrypt(encodeAppPayload({ type: 'updates', updates: batch, authors })));
  }
  if (out.length > 0) core.saveHead();
  return out;
}
