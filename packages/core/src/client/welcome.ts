import { decodeMlsMessage, type Welcome } from 'ts-mls';
import { ConversationGroup, type GroupOptions } from '../group/conversation-group.ts';
import type { KeyPackageStore } from './key-package-store.ts';

export type WelcomeOutcome =
  | { readonly kind: 'joined'; readonly group: ConversationGroup }
  /** Not for any of this device's key packages: someone else's invitation. */
  | { readonly kind: 'not-for-us' }
  | { readonly kind: 'rejected'; readonly reason: string };

/** Opens a Welcome with the key package it was made for, if it is one of this device's. */
export async function openWelcome(
  bytes: Uint8Array,
  keyPackages: KeyPackageStore,
  options: GroupOptions,
): Promise<WelcomeOutcome> {
  const welcome = decodeWelcome(bytes);
  if (welcome === undefined) return { kind: 'rejected', reason: 'a malformed Welcome' };
  const kp = await keyPackages.forWelcome(welcome);
  if (kp === undefined) return { kind: 'not-for-us' };
  try {
    const group = await ConversationGroup.join(
      welcome,
      kp.publicPackage,
      kp.privatePackage,
      options,
    );
    return group === undefined
      ? { kind: 'rejected', reason: 'a Welcome into a group without a Kith room state' }
      : { kind: 'joined', group };
  } catch (error) {
    return {
      kind: 'rejected',
      reason: `Welcome: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function decodeWelcome(bytes: Uint8Array): Welcome | undefined {
  try {
    const d = decodeMlsMessage(bytes, 0);
    return d?.[0].wireformat === 'mls_welcome' && d[1] === bytes.length ? d[0].welcome : undefined;
  } catch {
    return undefined;
  }
}
