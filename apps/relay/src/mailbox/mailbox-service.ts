import type { PeerId } from '@libp2p/interface';
import { decodeMailboxRequest, encodeMailboxResponse, type MailboxResponse } from '@kith/core';
import { RequestBudget } from '@kith/node';
import type { MailboxOutcome } from './mailbox-checks.ts';
import type { MailboxStore } from './mailbox-store.ts';

export interface MailboxRateLimits {
  /** Requests of any kind one peer may make per minute. */
  readonly requestsPerMinutePerPeer: number;
  /** Requests from all peers together per minute. */
  readonly requestsPerMinute: number;
}

const DEFAULT_MAILBOX_RATE_LIMITS: MailboxRateLimits = {
  requestsPerMinutePerPeer: 600,
  requestsPerMinute: 60_000,
};

/**
 * The mailbox protocol's front door: decodes a request, applies the per-peer and overall rate
 * limits, hands it to the store (which orders what touches its state), and reports each
 * outcome for the metrics.
 */
export class MailboxService {
  readonly #store: MailboxStore;
  readonly #budget: RequestBudget;
  readonly #now: () => number;
  readonly #report: (outcome: MailboxOutcome) => void;

  constructor(
    store: MailboxStore,
    options: {
      readonly limits?: MailboxRateLimits;
      readonly now?: () => number;
      readonly report?: (outcome: MailboxOutcome) => void;
    } = {},
  ) {
    const limits = options.limits ?? DEFAULT_MAILBOX_RATE_LIMITS;
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#budget = new RequestBudget(
      limits.requestsPerMinutePerPeer,
      limits.requestsPerMinute,
      this.#now,
    );
    this.#report = options.report ?? (() => undefined);
  }

  async handle(bytes: Uint8Array, from: PeerId): Promise<Uint8Array> {
    let response: MailboxResponse;
    if (!this.#budget.take(from.toString())) {
      response = { type: 'refused', code: 'RATE_LIMITED', message: 'too many requests: slow down' };
      this.#report({ kind: 'refused', reason: 'RATE_LIMITED' });
    } else {
      let request;
      try {
        request = decodeMailboxRequest(bytes);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'malformed';
        this.#report({ kind: 'refused', reason: 'MALFORMED' });
        return encodeMailboxResponse({ type: 'refused', code: 'MALFORMED', message });
      }
      const result = await this.#store.handle(request, this.#now(), from.toString());
      this.#report(result.outcome);
      response = result.response;
    }
    return encodeMailboxResponse(response);
  }

  /** A refusal decided before the request reaches the store (relay-wide limits). */
  refuse(code: 'RATE_LIMITED' | 'QUOTA_EXCEEDED', message: string): Uint8Array {
    return encodeMailboxResponse({ type: 'refused', code, message });
  }

  /** Expires old messages (the relay runs this periodically). */
  sweep(): Promise<number> {
    return this.#store.sweep(this.#now());
  }

  storedBytes(): Promise<number> {
    return this.#store.storedBytes();
  }
}
