/** Why an update was refused. Every honest member refuses the same update for the same reason. */
export type RejectReason =
  /** Not a signed update (bad CBOR, wrong field sizes). */
  | 'malformed'
  /** Over `TimelineLimits.maxUpdateBytes`. */
  | 'too-large'
  | 'wrong-room'
  | 'bad-signature'
  /** seq 0 whose `prev` is not 32 zero bytes. */
  | 'bad-prev'
  /** A second, different update for a seq the author already used: the author is now forked. */
  | 'equivocation'
  /** `prev` is not the hash of the author's previous update: the author is now forked. */
  | 'chain-mismatch'
  /** The author is forked at or before this seq; nothing more of it is applied. */
  | 'author-forked'
  /** Too many updates waiting for predecessors; sync will bring it again. */
  | 'pending-overflow'
  /** The author was not a member in the epoch the update names. */
  | 'not-member'
  /** A removed device's update after its cut, naming an epoch before its removal. */
  | 'beyond-cut'
  /** Not the update the cut recorded as the device's last before it. */
  | 'off-cut'
  /** Generation not 0 for seq 0, or not the previous update's generation or the one after. */
  | 'bad-generation'
  /** The Yjs update does not decode. */
  | 'malformed-yjs'
  /** A struct under a client ID that is not the author's current one. */
  | 'foreign-client'
  | 'unsupported-struct'
  /** Item content other than binary (an entry envelope or a meta value), or a nested type. */
  | 'unsupported-content'
  | 'clock-gap'
  /** An origin, right origin or parent in another author's client IDs. */
  | 'foreign-reference'
  /** A reference to an item the author never wrote. */
  | 'missing-reference'
  /** An item in a root other than `log:<author>` or `meta:<author>`. */
  | 'foreign-root'
  /** A log item with a map key, or a meta item without a valid key. */
  | 'bad-parent-sub'
  /** A log entry inserted anywhere but at the end of the author's log. */
  | 'log-not-append'
  | 'foreign-delete'
  /** A delete of a log entry (retractions are messages, not deletes). */
  | 'log-delete'
  | 'entry-too-large'
  | 'bad-envelope'
  | 'envelope-seq-mismatch'
  | 'lamport-regressed'
  /**
   * Unused since bodies travel beside the update (PROTOCOL.md §6.1): an entry whose body is not
   * MIMI content stays invisible instead. Kept so that callers matching on it still compile.
   */
  | 'bad-content';

/**
 * The outcome of receiving a signed update. Results, not exceptions: a malicious member's
 * update is an expected input. A rejected update changes nothing in the document (an
 * `equivocation` or `chain-mismatch` verdict records fork evidence, see `evidence()`).
 */
export type UpdateVerdict =
  | { readonly verdict: 'accepted' }
  /** Waiting for the author's earlier updates (or for the control plane to reach its epoch). */
  | { readonly verdict: 'pending' }
  | { readonly verdict: 'duplicate' }
  | { readonly verdict: 'rejected'; readonly reason: RejectReason; readonly detail: string };

export function rejected(reason: RejectReason, detail: string): UpdateVerdict {
  return { verdict: 'rejected', reason, detail };
}
