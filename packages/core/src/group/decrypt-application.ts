import type { CiphersuiteImpl, ClientState, PrivateMessage } from 'ts-mls';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { deviceOfLeaf, type MemberDevice } from './leaves.ts';

export interface DecryptedApplication {
  readonly newState: ClientState;
  readonly plaintext: Uint8Array;
  readonly sender: MemberDevice | undefined;
}

/**
 * Opens an application message like ts-mls's processPrivateMessage does, but also hands back
 * the sender's leaf (ts-mls 1.6.4 drops it), resolved against the tree of the message's epoch.
 * Throws on anything that does not decrypt or verify, or is not application data.
 */
export async function decryptApplication(
  state: ClientState,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
): Promise<DecryptedApplication> {
  const retention = state.clientConfig.keyRetentionConfig;
  if (pm.epoch < state.groupContext.epoch) {
    const past = state.historicalReceiverData.get(pm.epoch);
    if (past === undefined) throw new Error('epoch too old: its keys are deleted');
    const result = await unprotectPrivateMessage(
      past.senderDataSecret,
      pm,
      past.secretTree,
      past.ratchetTree,
      past.groupContext,
      retention,
      cs,
    );
    const historical = new Map(state.historicalReceiverData);
    historical.set(pm.epoch, { ...past, secretTree: result.tree });
    return finish(
      { ...state, historicalReceiverData: historical },
      result.content,
      past.ratchetTree,
    );
  }
  const result = await unprotectPrivateMessage(
    state.keySchedule.senderDataSecret,
    pm,
    state.secretTree,
    state.ratchetTree,
    state.groupContext,
    retention,
    cs,
  );
  return finish({ ...state, secretTree: result.tree }, result.content, state.ratchetTree);
}

function finish(
  newState: ClientState,
  content: Awaited<ReturnType<typeof unprotectPrivateMessage>>['content'],
  tree: ClientState['ratchetTree'],
): DecryptedApplication {
  const framed = content.content;
  if (framed.contentType !== 'application') throw new Error('not application data');
  if (framed.sender.senderType !== 'member') throw new Error('application data from a non-member');
  const leafIndex = framed.sender.leafIndex;
  const node = tree[leafIndex * 2];
  const sender = node?.nodeType === 'leaf' ? deviceOfLeaf(node.leaf, leafIndex) : undefined;
  return { newState, plaintext: framed.applicationData, sender };
}
