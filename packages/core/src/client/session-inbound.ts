import type { MemberDevice } from '../group/leaves.ts';
import type { ReceiveOutcome } from '../group/outcomes.ts';
import { canPreverify } from '../crypto/ed25519.ts';
import { decodeRoomPayload } from '../sync/payload.ts';
import { preverifySignedUpdates } from '../timeline/signed-update.ts';
import type { SessionCore } from './room-session.ts';
import { afterEpoch, afterFork, commitPendingProposals } from './session-epochs.ts';

/** Acts on what the MLS group made of one inbound message of the room. */
export async function handleOutcome(core: SessionCore, outcome: ReceiveOutcome): Promise<void> {
  switch (outcome.kind) {
    case 'application':
      await receivePayload(core, outcome.plaintext, outcome.sender);
      core.opened();
      return;
    case 'commit':
      afterEpoch(core, outcome.record, outcome.change);
      await commitPendingProposals(core);
      return;
    case 'fork-switched':
      await afterFork(core, outcome.applied, outcome.lost);
      return;
    case 'proposal':
      core.saveHead();
      await commitPendingProposals(core);
      return;
    case 'rejected':
      core.note({
        type: 'rejected',
        roomId: core.session.roomId,
        reason: `${outcome.reason}: ${outcome.detail}`,
      });
      return;
    case 'pending':
    case 'ignored':
      return;
  }
}

/**
 * An application message's payload: signed updates (with the certificates of their authors,
 * remembered to vouch for them later) go to the timeline, a signal to the signal plane.
 */
async function receivePayload(
  core: SessionCore,
  plaintext: Uint8Array,
  sender: MemberDevice,
): Promise<void> {
  const s = core.session;
  let payload;
  try {
    payload = decodeRoomPayload(plaintext);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    core.note({ type: 'rejected', roomId: s.roomId, reason: `from ${sender.deviceId}: ${reason}` });
    return;
  }
  if (payload.type === 'unknown') return;
  if (payload.type === 'signal') {
    core.env.signal(s, sender, payload.signal);
    return;
  }
  for (const certificate of payload.authors) {
    const learned = s.history.learnCertificate(certificate);
    if (learned !== undefined) s.queue([s.store.putAuthor(learned.publicKey, certificate)]);
  }
  // With an asynchronous Ed25519 (a browser's WebCrypto), the batch's signatures at once.
  if (canPreverify()) await preverifySignedUpdates(payload.updates);
  for (const encoded of payload.updates) s.receiveUpdate(encoded);
}
