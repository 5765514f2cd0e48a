import type { Refusal } from '../room/refusal.ts';
import type { CheckedCommit } from './commit-policy.ts';
import type { EpochRecord } from './epoch.ts';
import type { MemberDevice } from './leaves.ts';

/**
 * What became of one incoming MLS message. Every case is an expected protocol outcome, so it
 * is a value the engine branches on, never an exception.
 */
export type ReceiveOutcome =
  | {
      readonly kind: 'application';
      readonly sender: MemberDevice;
      readonly plaintext: Uint8Array;
      readonly epoch: bigint;
    }
  /** A commit extended this device's chain. */
  | { readonly kind: 'commit'; readonly record: EpochRecord; readonly change: CheckedCommit }
  /**
   * A branch from an earlier epoch beat the one this device followed (group/fork-choice.ts):
   * its epochs, `applied` (oldest first, `record` the new head), replace those in `lost`,
   * which are abandoned (their own commits must be made again, their messages sent again).
   */
  | {
      readonly kind: 'fork-switched';
      readonly record: EpochRecord;
      readonly change: CheckedCommit;
      readonly applied: readonly { readonly record: EpochRecord; readonly change: CheckedCommit }[];
      readonly lost: readonly EpochRecord[];
    }
  | { readonly kind: 'proposal' }
  /** Held until the epoch it names is reached (sync will bring it). */
  | { readonly kind: 'pending' }
  | {
      readonly kind: 'ignored';
      /** `before-history`: an epoch at or before the oldest this device holds (it joined later). */
      readonly reason:
        | 'duplicate'
        | 'losing-commit'
        | 'abandoned-branch'
        | 'stale'
        | 'other-group'
        | 'before-history';
      /** For a losing commit: the winning commit, to hand to whoever sent the loser. */
      readonly winner?: Uint8Array | undefined;
    }
  | {
      readonly kind: 'rejected';
      readonly reason: 'malformed' | 'undecryptable' | 'not-allowed' | 'not-a-member';
      readonly refusal?: Refusal;
      readonly detail: string;
    };

/**
 * What a commit attempt gave: the commit (and Welcome) to send with the new epoch, or why it was
 * not made.
 */
export type CommitResult =
  | {
      readonly ok: true;
      readonly commit: Uint8Array;
      /** The Welcome for added devices (an encoded MLSMessage), if any were added. */
      readonly welcome: Uint8Array | undefined;
      readonly record: EpochRecord;
      readonly change: CheckedCommit;
    }
  | { readonly ok: false; readonly refusal: Refusal };
